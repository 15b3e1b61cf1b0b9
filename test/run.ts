/**
 * The test runner behind `npm test`: finds test/**\/*.test.ts (Node 20's `--test` has no globs),
 * probes the services the suites declare, and runs the runnable ones with node's test runner.
 *
 *   node --import tsx test/run.ts [--tier unit|integration|smoke|e2e] [substring ...]
 *
 * A suite declares what it needs on its first line: `// @requires: postgres, redis` (or
 * `chromium` for the browser tests in test/e2e). Each needed service is probed once, with a real
 * connection (the browser: by running it with `--version`); a suite whose service is unreachable is
 * not run, and is listed with the reason after node's closing summary (`ℹ tests N` ...). With
 * TOCSIN_TEST_REQUIRE_SERVICES=1 (CI) an unreachable service fails the run before anything runs.
 * The resolved URLs reach the suites as TOCSIN_TEST_DATABASE_URL and TOCSIN_TEST_REDIS_URL, the
 * browser as TOCSIN_TEST_CHROMIUM (default /usr/bin/chromium, Debian's package `chromium`).
 *
 * Exit code: node's (1 if it was killed by a signal); 1 when no suite is runnable, a service is
 * required but unreachable, or a header names an unknown service; 2 for bad arguments.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SERVICES = ['postgres', 'redis', 'chromium'] as const;
type Service = (typeof SERVICES)[number];
const TIERS = ['unit', 'integration', 'smoke', 'e2e'] as const;
const PROBE_TIMEOUT_MS = 3000;

const root = fileURLToPath(new URL('..', import.meta.url));

const urls: Record<Service, string> = {
  postgres: process.env.TOCSIN_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  redis: process.env.TOCSIN_TEST_REDIS_URL || 'redis://127.0.0.1:6379',
  chromium: process.env.TOCSIN_TEST_CHROMIUM || '/usr/bin/chromium',
};

/** All test/**\/*.test.ts files as sorted repository-relative POSIX paths. */
function findTestFiles(): string[] {
  return readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .map((p) => `test/${p.split(path.sep).join('/')}`)
    .filter((p) => p.endsWith('.test.ts') && !p.split('/').includes('node_modules'))
    .sort();
}

/** The services a suite's first line declares; throws on a name this runner cannot probe. */
function requirements(file: string): Service[] {
  const text = readFileSync(path.join(root, file), 'utf8').replace(/^\uFEFF/, '');
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const m = /^\/\/\s*@requires:?(.*)$/.exec(first.trim());
  if (!m) return [];
  const names = (m[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!(SERVICES as readonly string[]).includes(n)) {
      throw new Error(`${file}: unknown service '${n}' in @requires (known: ${SERVICES.join(', ')})`);
    }
  }
  return names as Service[];
}

/** Rejects with a timeout error when `p` has not settled within `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short reason: a system error code (ECONNREFUSED) when there is one, else the message. */
function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(reason))].join(', ');
  }
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return err.message || (typeof code === 'string' ? code : err.name);
}

/** The URL with its password masked, for printing. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function probePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => {}); // a connection dropped after the probe must not crash the runner
  try {
    await within(
      client.connect().then(() => client.query('select 1')),
      PROBE_TIMEOUT_MS,
    );
  } finally {
    await within(client.end(), 1000).catch(() => {});
  }
}

async function probeRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: PROBE_TIMEOUT_MS,
    retryStrategy: () => null,
  });
  // ioredis reports the cause (ECONNREFUSED) as an event and rejects with "Connection is closed".
  let cause: unknown;
  client.on('error', (err: unknown) => (cause ??= err));
  try {
    await within(
      client.connect().then(() => client.ping()),
      PROBE_TIMEOUT_MS,
    );
    await within(client.quit(), 1000).catch(() => client.disconnect());
  } catch (err) {
    client.disconnect();
    throw cause ?? err;
  }
}

/** The browser answers `--version` with a Chromium version line. */
async function probeChromium(executable: string): Promise<void> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(executable, ['--version'], { timeout: PROBE_TIMEOUT_MS * 3 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
  if (!/Chromium \d+/.test(out)) throw new Error(`not a Chromium: ${out.trim().slice(0, 80)}`);
}

const PROBES: Record<Service, (target: string) => Promise<void>> = {
  postgres: probePostgres,
  redis: probeRedis,
  chromium: probeChromium,
};

/** Undefined when `service` answers, else why not. */
async function probe(service: Service): Promise<string | undefined> {
  try {
    await PROBES[service](urls[service]);
    return undefined;
  } catch (err) {
    const what = service === 'chromium' ? 'not runnable' : 'unreachable';
    return `${service} ${what} at ${redact(urls[service])}: ${reason(err)}`;
  }
}

function usage(): string {
  return 'usage: node --import tsx test/run.ts [--tier unit|integration|smoke|e2e] [substring ...]';
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { tier: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (err) {
    console.error(`${reason(err)}\n${usage()}`);
    return 2;
  }
  const { tier, help } = args.values;
  if (help) {
    console.log(usage());
    return 0;
  }
  if (tier !== undefined && !(TIERS as readonly string[]).includes(tier)) {
    console.error(`unknown tier '${tier}'\n${usage()}`);
    return 2;
  }

  const files = findTestFiles()
    .filter((f) => tier === undefined || f.split('/')[1] === tier)
    .filter((f) => args.positionals.length === 0 || args.positionals.some((s) => f.includes(s)));

  let needs: Map<string, Service[]>;
  try {
    needs = new Map(files.map((f) => [f, requirements(f)]));
  } catch (err) {
    console.error(reason(err));
    return 1;
  }

  const wanted = [...new Set([...needs.values()].flat())];
  const down = new Map<Service, string>();
  await Promise.all(
    wanted.map(async (s) => {
      const why = await probe(s);
      if (why !== undefined) down.set(s, why);
    }),
  );

  if (down.size > 0 && process.env.TOCSIN_TEST_REQUIRE_SERVICES === '1') {
    for (const why of down.values()) console.error(why);
    console.error('TOCSIN_TEST_REQUIRE_SERVICES=1: a required service is unreachable, so nothing was run.');
    return 1;
  }

  const notRun: string[] = [];
  const runnable: string[] = [];
  for (const [file, services] of needs) {
    const whys = services.flatMap((s) => down.get(s) ?? []);
    if (whys.length === 0) runnable.push(file);
    else notRun.push(`not run: ${file} — ${whys.join('; ')}`);
  }

  if (runnable.length === 0) {
    const filters = [tier && `tier ${tier}`, ...args.positionals.map((s) => `'${s}'`)].filter(Boolean);
    console.error(`no test file to run${filters.length > 0 ? ` (filters: ${filters.join(', ')})` : ''}`);
    for (const line of notRun) console.error(line);
    return 1;
  }

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      // Inherited by every test file's process: keeps --test-force-exit from losing results.
      '--import',
      './test/support/blocking-stdio.ts',
      '--test',
      '--test-concurrency=2',
      '--test-timeout=360000',
      '--test-force-exit',
      '--test-reporter=spec',
      ...runnable,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        TOCSIN_TEST_DATABASE_URL: urls.postgres,
        TOCSIN_TEST_REDIS_URL: urls.redis,
        TOCSIN_TEST_CHROMIUM: urls.chromium,
      },
    },
  );
  // Ctrl-C reaches the child through the terminal; pass on the signals that do not.
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', () => {});
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);

  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      console.error(`could not start node's test runner: ${reason(err)}`);
      resolve(1);
    });
    child.on('exit', (status) => resolve(status ?? 1));
  });
  for (const line of notRun) console.log(line);
  return code;
}

// Exit explicitly: a probe that timed out may leave a socket that would keep the process alive.
process.exit(await main(process.argv.slice(2)));
