/**
 * Makes PGlite commits survive a power loss. PGlite runs PostgreSQL with fsync=off: a commit
 * is written to the WAL file (the OS page cache) but never flushed. This fsyncs the current
 * WAL segment and the pg_wal directory after a commit, before the commit is acknowledged.
 * Concurrent commits share one flush (group commit): a caller waits for a flush that started
 * after its commit ended.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class WalSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** Flushes performed (for tests and benchmarks). */
  flushes = 0;

  constructor(private readonly dataDir: string) {}

  /** Resolves once everything committed before the call is on stable storage. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.flush().finally(() => (this.running = undefined));
      return this.running;
    }
    // A flush is in progress and may have started before our commit: queue one more.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private async flush(): Promise<void> {
    const wal = join(this.dataDir, 'pg_wal');
    // The newest segments hold the latest commits; flushing the two newest covers a segment switch.
    const names = (await readdir(wal)).filter((f) => /^[0-9A-F]{24}$/.test(f));
    const segments = (await Promise.all(names.map(async (f) => ({ f, m: (await stat(join(wal, f))).mtimeMs }))))
      .sort((a, b) => b.m - a.m || (a.f < b.f ? 1 : -1))
      .slice(0, 2);
    // Asynchronous fsync runs on libuv's thread pool: commits keep queuing meanwhile and share the next flush.
    await Promise.all(segments.map(({ f }) => fsyncPath(join(wal, f))));
    await fsyncPath(wal);
    this.flushes++;
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
