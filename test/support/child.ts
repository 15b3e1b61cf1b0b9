/**
 * Tocsin as a real child process, for crash and restart tests: spawn it, learn its URL from
 * the line it prints once listening, signal it (SIGKILL is a crash), wait for its exit, and
 * read the loopback journal it leaves behind. Plus `waitFor`: polling with a deadline that
 * only bounds a hang (never a correctness margin) and says what it was waiting for.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const binPath = fileURLToPath(new URL('../../bin/tocsin.js', import.meta.url));
const cliUrl = new URL('../../src/app/cli.ts', import.meta.url).href;

/** The line `tocsin start` prints once its HTTP port is open. */
const LISTENING = /^tocsin: (embedded|cluster) mode, listening on (http:\/\/\S+)$/m;

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TocsinChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with the base URL (`http://127.0.0.1:PORT`) once listening; rejects if it exits first. */
  readonly listening: Promise<string>;
  /** The base URL; throws before the process is listening. */
  readonly url: string;
  /** 'embedded' or 'cluster', from the listening line; undefined before. */
  readonly mode: string | undefined;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** The exit status once exited, else undefined. */
  readonly exitStatus: ExitStatus | undefined;
  /** Sends `signal` (default SIGTERM); a no-op once exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves with the exit status; rejects after `timeoutMs` (default 20 s) with the output so far. */
  waitForExit(timeoutMs?: number): Promise<ExitStatus>;
  /** SIGTERM, then waits for the exit. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  /** The last lines of stdout and stderr, for failure messages. */
  describe(): string;
}

export interface SpawnOptions {
  /**
   * TOCSIN_* variables for the child. The parent's TOCSIN_* variables are not inherited (a
   * TOCSIN_DATABASE_URL of the developer's shell must not switch the mode); everything else
   * (PATH, HOME, ...) is. TOCSIN_HTTP_PORT defaults to 0 (the URL is read from stdout).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Arguments after the node entry point; default ['start']. */
  readonly args?: readonly string[];
  /** Deadline for the listening line (spawnTocsin only). Default 60 s: a fresh PGlite runs initdb. */
  readonly startTimeoutMs?: number;
}

const live = new Set<TocsinChild>();
// Never leave an orphan behind if the test process exits without its cleanup.
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** The command that runs the CLI: the package bin when present, else the CLI module through tsx. */
function entry(args: readonly string[]): string[] {
  if (existsSync(binPath)) return [binPath, ...args];
  return [
    '--import',
    'tsx',
    '-e',
    `import(${JSON.stringify(cliUrl)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`,
    ...args,
  ];
}

function childEnv(env: SpawnOptions['env']): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TOCSIN_')) out[k] = v;
  out.TOCSIN_HTTP_HOST = '127.0.0.1';
  out.TOCSIN_HTTP_PORT = '0';
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

const tail = (s: string, lines = 20) => s.trimEnd().split('\n').slice(-lines).join('\n');

/** Starts a Tocsin process and returns at once; `listening` tells when (and whether) it is up. */
/** API tokens of the running children, by base URL (`api()` sends them). */
const tokens = new Map<string, string>();
/** One admin token per database (data directory, or URL + schema), made once with the CLI. */
const provisioned = new Map<string, string>();

/**
 * Gives the database's built-in admin a password and an API token with every permission, as
 * an operator would (`tocsin user set-password`, `tocsin token create`), before the server
 * starts (PGlite is single-process). Cached per database.
 */
export function provisionToken(env: Readonly<Record<string, string | undefined>>): string {
  const key = `${env.TOCSIN_DATA_DIR ?? ''}|${env.TOCSIN_DATABASE_URL ?? ''}|${env.TOCSIN_DB_SCHEMA ?? ''}`;
  const known = provisioned.get(key);
  if (known) return known;
  const run = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, entry(args), {
      cwd: root,
      env: childEnv(env),
      input,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`tocsin ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  run(['user', 'set-password', 'admin'], 'child-Process-password-1\n');
  const token = (
    JSON.parse(run(['token', 'create', '--user', 'admin', '--name', 'test-child', '--all'])) as { token: string }
  ).token;
  provisioned.set(key, token);
  return token;
}

export function launchTocsin(opts: SpawnOptions): TocsinChild {
  const token = (opts.args ?? ['start'])[0] === 'start' ? provisionToken(opts.env) : undefined;
  const proc = spawn(process.execPath, entry(opts.args ?? ['start']), {
    cwd: root,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error('could not spawn tocsin');
  let out = '';
  let err = '';
  let url: string | undefined;
  let mode: string | undefined;
  let status: ExitStatus | undefined;
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  const exited = new Promise<ExitStatus>((resolve) => {
    // 'close' comes after both pipes are drained, so the output is complete by then.
    proc.once('close', (code, signal) => {
      status = { code, signal };
      live.delete(child);
      resolve(status);
    });
  });
  let onListening: ((u: string) => void) | undefined;
  const listening = new Promise<string>((resolve, reject) => {
    onListening = resolve;
    void exited.then((s) => {
      if (url === undefined)
        reject(new Error(`tocsin exited (code ${s.code}, signal ${s.signal}) before listening\n${describe()}`));
    });
  });
  listening.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection here
  proc.stdout!.on('data', (chunk: string) => {
    out += chunk;
    if (url === undefined) {
      const m = LISTENING.exec(out);
      if (m) {
        mode = m[1];
        url = m[2]!;
        if (token) tokens.set(url, token);
        onListening!(url);
      }
    }
  });
  proc.stderr!.on('data', (chunk: string) => (err += chunk));

  const describe = () =>
    `--- tocsin pid ${proc.pid} stdout (tail) ---\n${tail(out)}\n--- stderr (tail) ---\n${tail(err)}\n---`;

  const waitForExit = async (timeoutMs = 20_000): Promise<ExitStatus> => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`tocsin pid ${proc.pid} did not exit within ${timeoutMs} ms\n${describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([exited, expired]);
    } finally {
      clearTimeout(timer);
    }
  };

  const child: TocsinChild = {
    proc,
    pid: proc.pid,
    listening,
    get url() {
      if (url === undefined) throw new Error(`tocsin pid ${proc.pid} is not listening yet`);
      return url;
    },
    get mode() {
      return mode;
    },
    stdout: () => out,
    stderr: () => err,
    get exitStatus() {
      return status;
    },
    kill(signal = 'SIGTERM') {
      if (status === undefined) proc.kill(signal);
    },
    waitForExit,
    async stop(timeoutMs) {
      child.kill('SIGTERM');
      return waitForExit(timeoutMs);
    },
    describe,
  };
  live.add(child);
  return child;
}

/** Starts a Tocsin process and resolves once it listens; kills it and rejects if it does not in time. */
export async function spawnTocsin(opts: SpawnOptions): Promise<TocsinChild> {
  const child = launchTocsin(opts);
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tocsin did not listen within ${timeoutMs} ms\n${child.describe()}`));
    }, timeoutMs);
  });
  try {
    await Promise.race([child.listening, expired]);
    return child;
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every child still running and waits for them (for after/afterEach hooks). */
export async function killAllTocsins(): Promise<void> {
  const all = [...live];
  for (const c of all) c.kill('SIGKILL');
  await Promise.all(all.map((c) => c.waitForExit(10_000).catch(() => undefined)));
}

export interface WaitOptions {
  /** Overall deadline: a bound on a hang, not a margin for correctness. Default 30 s. */
  readonly timeoutMs?: number;
  /** What is awaited, for the failure message ("group A notified for 5 alarms"). */
  readonly what: string;
  /** Poll period; default 25 ms. */
  readonly intervalMs?: number;
  /** Fails at once when one of these processes exits (with its output in the message). */
  readonly children?: readonly TocsinChild[];
  /** Extra state for the failure message (e.g. the journal so far). */
  readonly explain?: () => string | Promise<string>;
}

/**
 * Polls `predicate` until it returns a truthy value, and returns that value. A predicate that
 * throws counts as "not yet" (its last error is reported on timeout).
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 25;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let lastError: unknown;
  for (;;) {
    for (const c of opts.children ?? []) {
      const s = c.exitStatus;
      if (s) {
        throw new Error(
          `while waiting for ${opts.what}: tocsin pid ${c.pid} exited (code ${s.code}, signal ${s.signal})\n${c.describe()}`,
        );
      }
    }
    try {
      const v = await predicate();
      if (v) return v as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const parts = [`timed out after ${Date.now() - started} ms waiting for ${opts.what}`];
  if (lastError !== undefined)
    parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  if (opts.explain)
    parts.push(await Promise.resolve(opts.explain()).catch((e: unknown) => `(explain failed: ${String(e)})`));
  for (const c of opts.children ?? []) parts.push(c.describe());
  throw new Error(parts.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// The loopback journal (one JSON line per delivery, written by src/notify/loopback-notifier.ts)

export interface JournalEntry {
  readonly op: 'send' | 'withdraw';
  readonly key: string;
  readonly alarmId: string;
  readonly notificationId: string;
  readonly recipient: string;
  readonly at: number;
  readonly text?: string;
}

/**
 * Reads the journal; a missing file is an empty journal. A torn last line (a crash in the
 * middle of an append) is skipped, as the notifier itself does; a malformed line elsewhere
 * is an error.
 */
export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: JournalEntry[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch (err) {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      if (!last)
        throw new Error(`${path}:${i + 1}: malformed journal line ${JSON.stringify(line)} (${(err as Error).message})`);
    }
  });
  return out;
}

/** The sends in `journal`, optionally of one alarm. */
export const journalSends = (journal: readonly JournalEntry[], alarmId?: string): JournalEntry[] =>
  journal.filter((d) => d.op === 'send' && (alarmId === undefined || d.alarmId === alarmId));

/** How often each key occurs among the entries. */
export function countKeys(entries: readonly JournalEntry[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of entries) m.set(`${e.op}:${e.key}`, (m.get(`${e.op}:${e.key}`) ?? 0) + 1);
  return m;
}

/** The idempotency key Tocsin gives a notification: `<alarmId>/<group>.<round>.<user>`. */
export const notificationKey = (alarmId: string, group: string, round: number, user: string): string =>
  `${alarmId}/${group}.${round}.${user}`;

// ---------------------------------------------------------------------------------------------
// HTTP

export interface ApiResponse<T = unknown> {
  readonly status: number;
  /** The parsed body; undefined when it is not JSON. */
  readonly json: T;
  readonly text: string;
}

/** One JSON request against a running child. */
export async function api<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const token = tokens.get(baseUrl);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const init: RequestInit = { method, signal: AbortSignal.timeout(10_000), headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as T, text };
}

/** GET /api/v1/alarms/:id (the fields these tests read). */
export interface AlarmView {
  readonly id: string;
  readonly status: 'active' | 'ended';
  readonly state: string;
  readonly seq: number;
  readonly recipients: readonly {
    readonly notificationId: string;
    readonly recipient: string;
    readonly status: string;
  }[];
  readonly pendingTimers: readonly { readonly id: string; readonly event: string; readonly dueAt: string }[];
}

/** GET /api/v1/alarms/:id/protocol (the fields these tests read). */
export interface ProtocolView {
  readonly alarmId: string;
  readonly chain: { readonly ok: boolean };
  readonly entries: readonly {
    readonly seq: number;
    readonly at: string;
    readonly kind: string;
    readonly fromState: string | null;
    readonly toState: string;
    readonly note: string;
    readonly lateMs: number | null;
  }[];
}

async function get<T>(baseUrl: string, path: string): Promise<T> {
  const r = await api<T>(baseUrl, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return r.json;
}

export const getAlarm = (baseUrl: string, id: string): Promise<AlarmView> => get(baseUrl, `/api/v1/alarms/${id}`);

export const getProtocol = (baseUrl: string, id: string): Promise<ProtocolView> =>
  get(baseUrl, `/api/v1/alarms/${id}/protocol`);

/** Raises `n` alarms of `type` through the API; returns their ids in order. */
export async function raiseAlarms(baseUrl: string, type: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api<{ id: string }>(baseUrl, 'POST', '/api/v1/alarms', {
      type,
      text: `${type} ${i}`,
      location: `cabin ${i}`,
    });
    if (r.status !== 201) throw new Error(`POST /api/v1/alarms: ${r.status} ${r.text}`);
    ids.push(r.json.id);
  }
  return ids;
}
