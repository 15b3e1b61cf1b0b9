/**
 * Counts and times fs.fsyncSync calls in this process (the embedded store's WAL flush uses it;
 * PGlite itself never calls fsync). Installed by wrapping the builtin and re-syncing the ESM
 * named exports, so `import { fsyncSync } from 'node:fs'` in src/ sees the wrapper too.
 * fsyncSync runs on the event loop thread: its time is time in which nothing else runs.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { summarize } from './stats.ts';

const durations: number[] = [];
let installed = false;

export const fsyncCounter = {
  install(): void {
    if (installed) return;
    installed = true;
    const original = fs.fsyncSync;
    fs.fsyncSync = function fsyncSync(fd: number): void {
      const t0 = performance.now();
      try {
        original(fd);
      } finally {
        if (durations.length < 5_000_000) durations.push(performance.now() - t0);
      }
    };
    syncBuiltinESMExports();
  },
  snapshot(): number {
    return durations.length;
  },
  since(mark: number): { calls: number; p50: number; p99: number; totalMs: number } {
    const slice = durations.slice(mark);
    const s = summarize(slice);
    return { calls: slice.length, p50: s.p50, p99: s.p99, totalMs: slice.reduce((a, b) => a + b, 0) };
  },
  reset(): void {
    durations.length = 0;
  },
};
