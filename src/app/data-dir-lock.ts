/**
 * One embedded process per data directory: PGlite is single-process, and two writers would
 * corrupt it. On Linux the lock is an abstract Unix socket named after the directory: binding
 * it is atomic and exclusive, and the kernel releases it when the process dies (even by
 * SIGKILL), so there is no stale lock to take over and no race in taking one over. The pid is
 * also written to `tocsin.lock` in the directory, for people. Elsewhere the pid file is the
 * lock (best effort: a stale one is taken over when its process is gone).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(dir: string, holder: string) {
    super(`data directory ${dir} is in use by ${holder}; stop it or choose another TOCSIN_DATA_DIR`);
    this.name = 'DataDirLockedError';
  }
}

/** Takes the lock or throws DataDirLockedError. Resolves with the release function. */
export async function lockDataDir(dir: string): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'tocsin.lock');
  if (process.platform !== 'linux') return lockWithPidFile(dir, pidFile);
  const name = `\0tocsin-data-${createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32)}`;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new DataDirLockedError(dir, `process ${readPid(pidFile) ?? 'unknown'}`));
      else reject(err);
    });
    server.listen(name, () => resolve());
  });
  server.unref();
  writeFileSync(pidFile, String(process.pid));
  return () => release(server, pidFile);
}

function release(server: Server, pidFile: string): void {
  if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
  server.close();
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockWithPidFile(dir: string, pidFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(pidFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = readPid(pidFile);
      if (pid !== undefined && alive(pid)) throw new DataDirLockedError(dir, `process ${pid}`); // our own pid: we hold it already
      rmSync(pidFile, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`could not lock data directory ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
