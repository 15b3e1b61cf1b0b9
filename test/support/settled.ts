/**
 * Waiting for IO only, never for time: yields to the event loop (setImmediate) until `check`
 * holds; fails after `tries` turns.
 */
import assert from 'node:assert/strict';

/** Yields to IO until `check` holds; fails after `tries` turns of the event loop. */
export async function settled(check: () => boolean | Promise<boolean>, what: string, tries = 20_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  assert.fail(`never happened: ${what}`);
}
