/**
 * The `tocsin` command (bin/tocsin.js) as a real child process with a scrubbed environment:
 * no TOCSIN_* of the developer's shell leaks in, and the data directory defaults to one that
 * the caller says must stay absent unless the command is meant to write.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export function runTocsin(args: readonly string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOCSIN_')));
  const r = spawnSync(process.execPath, ['bin/tocsin.js', ...args], {
    cwd: root,
    env: { ...clean, TOCSIN_HTTP_PORT: '0', TOCSIN_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error; // e.g. ETIMEDOUT: the command did not return
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking the event loop (so independent cases can run side by side). */
export function runTocsinAsync(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOCSIN_')));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/tocsin.js', ...args],
      {
        cwd: root,
        env: { ...clean, TOCSIN_HTTP_PORT: '0', TOCSIN_LOG_LEVEL: 'silent', ...env },
        encoding: 'utf8',
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals; killed?: boolean }) | null;
        if (e && typeof e.code !== 'number' && !e.signal) return reject(e);
        if (e?.killed) return reject(new Error(`tocsin ${args.join(' ')} timed out`));
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}
