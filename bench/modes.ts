/**
 * The two ways to run Tocsin, as the benchmark builds them: EMBEDDED (PGlite on disk in a temp
 * dir, WAL fsync on, in-process scheduler) and CLUSTER (PostgreSQL in a fresh schema, BullMQ on
 * Redis under a unique key prefix). Each `fresh()` gives an empty database; its cleanup removes
 * every trace (temp dir; schema and Redis keys).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, parseFileConfig, type Config, type FileConfigInput } from '../src/app/config.ts';
import { startTocsin, type Tocsin } from '../src/app/tocsin.ts';
import { SYSTEM } from '../src/runtime/auth-service.ts';
import type { ScheduledTimer } from '../src/ports/scheduler.ts';
import { SystemClock } from '../src/scheduler/system-clock.ts';
import { TimingNotifier } from './timing-notifier.ts';

export type ModeName = 'embedded' | 'cluster';

export const pgUrl = (): string => process.env.TOCSIN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = (): string => 'redis://127.0.0.1:6379';

export const SHORT_TIMEOUTS_MS = Array.from({ length: 13 }, (_, i) => 2000 + i * 250); // 2.0 … 5.0 s
export const LONG_TYPE = 'bench-long'; // 1 h level timeout
export const BACKGROUND_TYPE = 'bench-bg'; // 10 min level timeout: stays pending for the whole run
export const shortType = (ms: number): string => `bench-short-${ms}`;

const type = (id: string, levelTimeoutMs: number): NonNullable<FileConfigInput['alarmTypes']>[number] => ({
  id,
  name: id,
  priority: 3,
  plan: { id: 'escalate', version: 1 },
  // rounds 1: after group B's timeout the alarm rests in `unanswered` (no further timers).
  params: { levelTimeoutMs, rounds: 1 },
  environment: 'default',
});

export const benchFileConfig: FileConfigInput = {
  groups: { A: ['op-1', 'op-2'], B: ['sup-1'] },
  alarmTypes: [
    type(LONG_TYPE, 3_600_000),
    type(BACKGROUND_TYPE, 600_000),
    ...SHORT_TIMEOUTS_MS.map((ms) => type(shortType(ms), ms)),
  ],
  autoRespond: {},
};

export interface ModeEnv {
  readonly config: Config;
  /** Removes the data (temp dir, or schema + Redis keys). Idempotent, never throws. */
  cleanup(): Promise<void>;
}

/** Cleanups not yet run, so an interrupt (SIGINT) can still tidy up. */
export const pendingCleanups = new Set<() => Promise<void>>();

function tracked(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () =>
    (done ??= fn().catch((err: unknown) => console.error(`cleanup failed: ${(err as Error).message}`)));
  pendingCleanups.add(once);
  return async () => {
    await once();
    pendingCleanups.delete(once);
  };
}

const hex = (): string => randomBytes(5).toString('hex');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tocsin-bench-'));
}

const FS_TYPES: Record<number, string> = {
  0xef53: 'ext2/3/4',
  0x01021994: 'tmpfs',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x794c7630: 'overlayfs',
};

/** The filesystem type of the temp dir (fsync cost depends on it). */
export function tempFsType(): string {
  try {
    const t = statfsSync(tmpdir()).type;
    return FS_TYPES[t] ?? `fs type 0x${t.toString(16)}`;
  } catch {
    return 'unknown fs';
  }
}

export async function embeddedEnv(): Promise<ModeEnv> {
  const dir = tempDir();
  const config: Config = {
    ...loadConfig({
      TOCSIN_DATA_DIR: dir,
      TOCSIN_LOG_LEVEL: 'silent',
      TOCSIN_HTTP_PORT: '0',
      TOCSIN_EMBEDDED_FSYNC: 'on',
    }),
    file: parseFileConfig(benchFileConfig),
  };
  return { config, cleanup: tracked(async () => rmSync(dir, { recursive: true, force: true })) };
}

export async function clusterEnv(): Promise<ModeEnv> {
  const tag = hex();
  const schema = `tocsin_bench_${tag}`;
  const prefix = `tocsin-bench-${tag}`;
  const dir = tempDir();
  const config: Config = {
    ...loadConfig({
      TOCSIN_DATA_DIR: dir,
      TOCSIN_DATABASE_URL: pgUrl(),
      TOCSIN_REDIS_URL: redisUrl(),
      TOCSIN_DB_SCHEMA: schema,
      TOCSIN_QUEUE_PREFIX: prefix,
      TOCSIN_LOG_LEVEL: 'silent',
      TOCSIN_HTTP_PORT: '0',
    }),
    file: parseFileConfig(benchFileConfig),
  };
  const cleanup = tracked(async () => {
    rmSync(dir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: pgUrl(), connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      await c.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await c.end();
    }
    await deleteRedisKeys(`${prefix}:*`);
  });
  return { config, cleanup };
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const r = new Redis(redisUrl(), {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  await r.connect();
  try {
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0' && ++rounds < 100_000);
  } finally {
    r.disconnect();
  }
}

/** A started Tocsin plus the benchmark's instruments. */
export interface Stack {
  readonly tocsin: Tocsin;
  readonly notifier: TimingNotifier;
  /** Duration of every store.commit() call, ms (reset by phases). */
  readonly commits: number[];
  /** Called when the runtime is asked to fire a timer (scheduler or reconciler), with Date.now(). */
  fireHook: ((timer: ScheduledTimer, via: 'scheduler' | 'reconciler', wallMs: number) => void) | undefined;
  /** API token of the built-in admin (every permission), for the HTTP figures. */
  readonly token: string;
}

/** An API token for the built-in admin with every permission (as an operator would make one). */
async function benchToken(tocsin: Tocsin): Promise<string> {
  const admin = await tocsin.store.identity.findUserByLoginKey('admin');
  if (!admin) throw new Error('no built-in admin');
  await tocsin.auth.setPassword(SYSTEM, admin.id, 'bench-Password-42', { mustChangePassword: false });
  const group = await tocsin.store.identity.getGroup(admin.userGroup);
  const issued = await tocsin.auth.issueToken(admin.id, {
    name: 'bench',
    permissions: group?.permissions ?? [],
    environments: admin.environments,
  });
  return issued.token;
}

/**
 * startTocsin with a SystemClock, the loopback notifier (no journal) wrapped for timing, and
 * the composition root's own store and scheduler; then instruments store.commit and
 * runtime.fireTimer on the instances (no source file is touched).
 */
export async function startStack(config: Config): Promise<Stack> {
  const clock = new SystemClock();
  const notifier = new TimingNotifier(clock);
  const tocsin = await startTocsin(config, { clock, notifier });
  const stack: Stack = { tocsin, notifier, commits: [], fireHook: undefined, token: await benchToken(tocsin) };
  const store = tocsin.store;
  const commit = store.commit.bind(store);
  store.commit = async (step) => {
    const t0 = performance.now();
    try {
      return await commit(step);
    } finally {
      stack.commits.push(performance.now() - t0);
    }
  };
  const runtime = tocsin.runtime;
  const fireTimer = runtime.fireTimer.bind(runtime);
  runtime.fireTimer = (timer, via) => {
    stack.fireHook?.(timer, via, Date.now());
    return fireTimer(timer, via);
  };
  return stack;
}

export interface ClusterProbe {
  readonly ok: boolean;
  readonly why?: string;
  readonly pgVersion?: string;
  readonly redisVersion?: string;
  readonly hzBefore?: number;
}

/** Checks PostgreSQL and Redis (3 s each); reads their versions and Redis' current hz. */
export async function probeCluster(): Promise<ClusterProbe> {
  const problems: string[] = [];
  let pgVersion: string | undefined;
  let redisVersion: string | undefined;
  let hzBefore: number | undefined;
  const c = new pg.Client({ connectionString: pgUrl(), connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    const r = await c.query<{ v: string }>(`select current_setting('server_version') as v`);
    pgVersion = r.rows[0]?.v;
  } catch (err) {
    problems.push(`PostgreSQL at ${redact(pgUrl())} unreachable: ${(err as Error).message || String(err)}`);
  } finally {
    await c.end().catch(() => {});
  }
  const r = new Redis(redisUrl(), {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    const info = await r.info('server');
    redisVersion = /redis_version:(\S+)/.exec(info)?.[1];
    const hz = (await r.config('GET', 'hz')) as string[];
    hzBefore = Number(hz[1]);
  } catch (err) {
    problems.push(`Redis at ${redisUrl()} unreachable: ${(err as Error).message || String(err)}`);
  } finally {
    r.disconnect();
  }
  return problems.length
    ? {
        ok: false,
        why: problems.join('; '),
        ...(pgVersion ? { pgVersion } : {}),
        ...(redisVersion ? { redisVersion } : {}),
      }
    : { ok: true, pgVersion: pgVersion!, redisVersion: redisVersion!, ...(hzBefore !== undefined ? { hzBefore } : {}) };
}

/** CONFIG SET hz; returns the value Redis reports afterwards. */
export async function setRedisHz(hz: number): Promise<number> {
  const r = new Redis(redisUrl(), {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  await r.connect();
  try {
    await r.config('SET', 'hz', String(hz));
    const got = (await r.config('GET', 'hz')) as string[];
    return Number(got[1]);
  } finally {
    r.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
