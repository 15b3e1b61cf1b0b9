/**
 * Counts and times fsync calls in this process: the embedded store's WAL flush uses the
 * promise API (`FileHandle.sync()`, on libuv's thread pool); PGlite itself never calls fsync.
 * Installed by wrapping FileHandle.prototype.sync (and fs.fsyncSync, re-syncing the ESM named
 * exports, in case anything still calls it). Durations are wall time of each flush.
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
    void fs.promises.open(process.execPath, 'r').then(async (h) => {
      const proto = Object.getPrototypeOf(h) as { sync: () => Promise<void> };
      await h.close();
      const originalSync = proto.sync;
      proto.sync = async function sync(this: unknown): Promise<void> {
        const t0 = performance.now();
        try {
          await originalSync.call(this);
        } finally {
          if (durations.length < 5_000_000) durations.push(performance.now() - t0);
        }
      };
    });
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
