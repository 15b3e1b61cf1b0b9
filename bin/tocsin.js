#!/usr/bin/env node
// The `tocsin` command. Tocsin runs its TypeScript sources directly (no build step): register
// tsx's ESM loader first, then hand over to the CLI, whose return value is the exit code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
