// lockDataDir (src/app/data-dir-lock.ts): one embedded process per data directory. In one
// process, across processes (a child that holds the lock, then is SIGKILLed), with a stale
// pid file, and through a symlink. Every wait is on an event (child output, child exit),
// never on time.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { DataDirLockedError, lockDataDir } from '../../src/app/data-dir-lock.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tocsin-lock-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
const freshDir = () => join(scratch, `d${n++}`);

/** Releases taken in a test, run afterwards even when it fails (a held lock would leak into the next test). */
const releases: (() => void)[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const r of releases.splice(0)) r();
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
});
async function take(dir: string): Promise<() => void> {
  const release = await lockDataDir(dir);
  releases.push(release);
  return release;
}

/** The pid of a process that has exited (its pid is free unless the system reused it meanwhile). */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '']);
  await once(c, 'exit');
  return c.pid!;
}

/** A child node process that takes the lock on `dir`, prints "locked", and waits to be killed. */
async function childHolding(dir: string): Promise<ChildProcess> {
  const script = join(scratch, 'hold-lock.mjs');
  writeFileSync(
    script,
    [
      `import { lockDataDir } from ${JSON.stringify(pathToFileURL(join(root, 'src/app/data-dir-lock.ts')).href)};`,
      `await lockDataDir(process.argv[2]);`,
      `process.stdout.write('locked\\n');`,
      `setInterval(() => {}, 1 << 30);`,
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('locked\n')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`lock holder exited (${code ?? signal}) before locking: ${err}`)),
    );
  });
  return child;
}

describe('lockDataDir', () => {
  // A second lock on the same directory in the same process is refused, naming this process.
  it('refuses a second lock in the same process', async () => {
    const dir = freshDir();
    await take(dir);
    await assert.rejects(lockDataDir(dir), (err: Error) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.equal(err.name, 'DataDirLockedError');
      assert.match(err.message, new RegExp(`data directory .* is in use by process ${process.pid}; stop it`));
      return true;
    });
  });

  // Released, the directory can be locked again, and the pid file is gone.
  it('can be taken again after release', async () => {
    const dir = freshDir();
    const release = await lockDataDir(dir);
    assert.equal(readFileSync(join(dir, 'tocsin.lock'), 'utf8'), String(process.pid));
    release();
    assert.equal(existsSync(join(dir, 'tocsin.lock')), false);
    const again = await take(dir);
    assert.equal(typeof again, 'function');
  });

  // Creates a missing directory (and its parents).
  it('creates the directory', async () => {
    const dir = join(freshDir(), 'a', 'b');
    await take(dir);
    assert.equal(existsSync(join(dir, 'tocsin.lock')), true);
  });

  // Locks on different directories are independent.
  it('does not block a different directory', async () => {
    await take(freshDir());
    await take(freshDir());
  });

  // The same directory reached through a symlink is the same lock.
  it('sees through symlinks', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const link = join(scratch, `link${n++}`);
    symlinkSync(dir, link);
    await take(dir);
    await assert.rejects(lockDataDir(link), DataDirLockedError);
  });

  // A tocsin.lock left by a process that died does not block, and is replaced by ours.
  it('is not blocked by a stale pid file', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const dead = await deadPid();
    writeFileSync(join(dir, 'tocsin.lock'), String(dead));
    await take(dir);
    assert.equal(readFileSync(join(dir, 'tocsin.lock'), 'utf8'), String(process.pid));
  });

  // Another process holding the lock blocks us (and is named); once it is SIGKILLed, with no
  // chance to clean up, the lock is free again.
  it('is held by another process until that process dies, even by SIGKILL', async () => {
    const dir = freshDir();
    const child = await childHolding(dir);
    await assert.rejects(lockDataDir(dir), (err: Error) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.match(err.message, new RegExp(`in use by process ${child.pid};`));
      return true;
    });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    // Its pid file is still there (it could not remove it), and does not matter.
    assert.equal(readFileSync(join(dir, 'tocsin.lock'), 'utf8'), String(child.pid));
    await take(dir);
    assert.equal(readFileSync(join(dir, 'tocsin.lock'), 'utf8'), String(process.pid));
  });
});

// Elsewhere than Linux the pid file is the lock. Exercised here by presenting another platform
// to the module for the duration of each test.
describe('lockDataDir, pid-file fallback (non-Linux)', () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
  beforeEach(() => Object.defineProperty(process, 'platform', { ...platform, value: 'darwin' }));
  afterEach(() => Object.defineProperty(process, 'platform', platform));

  // The pid file of a live process (our parent, the test runner) blocks, naming it.
  it('is blocked by the pid file of a live process', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'tocsin.lock'), String(process.ppid));
    await assert.rejects(lockDataDir(dir), (err: Error) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.match(err.message, new RegExp(`in use by process ${process.ppid};`));
      return true;
    });
    assert.equal(readFileSync(join(dir, 'tocsin.lock'), 'utf8'), String(process.ppid));
  });

  // A pid file whose process is gone, or that holds no pid at all, is taken over.
  for (const [name, content] of [
    ['a dead pid', async () => String(await deadPid())],
    ['garbage', async () => 'not a pid'],
  ] as const) {
    it(`takes over a stale pid file holding ${name}`, async () => {
      const dir = freshDir();
      mkdirSync(dir);
      writeFileSync(join(dir, 'tocsin.lock'), await content());
      const release = await lockDataDir(dir);
      assert.equal(readFileSync(join(dir, 'tocsin.lock'), 'utf8'), String(process.pid));
      release();
      assert.equal(existsSync(join(dir, 'tocsin.lock')), false);
    });
  }
});
