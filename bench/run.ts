/**
 * `npm run bench` — EMBEDDED (PGlite on disk, WAL fsync on, in-process scheduler) and CLUSTER
 * (PostgreSQL + BullMQ on Redis) side by side, one column each. Prints figures; never passes
 * or fails on time (exit 0 unless something crashes). `--quick` shrinks the counts ~10x.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { consoleFigures } from './console-figure.ts';
import { dectFigures } from './dect-figure.ts';
import { fsyncCounter } from './fsync-counter.ts';
import { fullParams, quickParams, throughputAndLatency, type Cells, type Params } from './figures.ts';
import { pendingTimersAndRestart, type GcInfo } from './timers-figure.ts';
import {
  clusterEnv,
  embeddedEnv,
  pendingCleanups,
  pgUrl,
  probeCluster,
  redisUrl,
  setRedisHz,
  tempFsType,
  type ModeEnv,
  type ModeName,
} from './modes.ts';
import { bounded, fmtInt } from './stats.ts';

const USAGE = `usage: npm run bench [-- --quick]

Measures EMBEDDED (PGlite on disk, WAL fsync on, in-process scheduler) and CLUSTER (PostgreSQL
at TOCSIN_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, and BullMQ on
Redis at 127.0.0.1:6379) side by side and prints one table: raise rate and commit latency, trigger to first notify, timer lateness and
restart, memory with 1 000 active alarms, DECT over OM AXI, and POST to card on the live board in
headless Chromium. Loopback only, bounded in count and time. Never passes or fails on time.

  --quick   counts about 10x smaller (about 1.5 minutes)
  --help    this text
`;
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--quick' && a !== '--help' && a !== '-h');
if (args.includes('--help') || args.includes('-h') || unknown.length > 0) {
  if (unknown.length > 0) process.stderr.write(`tocsin bench: unknown argument ${unknown.join(' ')}\n`);
  (unknown.length > 0 ? process.stderr : process.stdout).write(USAGE);
  process.exit(unknown.length > 0 ? 2 : 0);
}

const BENCH_HZ = 100;
const started = performance.now();
const p: Params = args.includes('--quick') ? quickParams : fullParams;

fsyncCounter.install();

const columns = new Map<ModeName, Cells>([
  ['embedded', new Map()],
  ['cluster', new Map()],
]);
const notes: string[] = [];
let unhandled = 0;
process.on('unhandledRejection', (err) => {
  unhandled++;
  notes.push(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`);
});

function getGc(): GcInfo {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'global.gc (node --expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function')
      return {
        gc: gc as () => void,
        how: 'gc() obtained via v8.setFlagsFromString("--expose-gc") (npm script has no --expose-gc)',
      };
  } catch {
    // fall through
  }
  return { gc: undefined, how: 'no gc available: RSS read without a forced collection' };
}

type Row = { key: string; label: string } | { section: string };

function rows(): Row[] {
  const rateN = Math.floor((p.rate * p.rateDurationMs) / 1000);
  return [
    { key: 'mode', label: 'stack' },
    { section: `1. Sustained raise: ${fmtInt(p.raiseN)} alarms, ${p.raiseConcurrency} in flight, 1 h level timeout` },
    { key: 'f1.rate', label: 'alarms raised per second' },
    { key: 'f1.raise', label: 'raise() call p50 / p99 ms' },
    { key: 'f1.commit', label: 'store commit p50 / p99 ms' },
    { key: 'f1.eld', label: 'event-loop stalls' },
    { key: 'f1.fsync', label: 'WAL fsync calls; p50 / p99 each' },
    {
      section: `2. Trigger -> first notify send, open loop ${p.rate}/s for ${p.rateDurationMs / 1000} s (${rateN} alarms)`,
    },
    { key: 'f2r.lat', label: 'runtime.raise: p50 / p99 / max ms' },
    { key: 'f2r.co', label: '  p99 from intended send time ms' },
    { key: 'f2h.lat', label: 'HTTP POST: p50 / p99 / max ms' },
    { key: 'f2h.co', label: '  p99 from intended send time ms' },
    { section: `3. Timer lateness with ${fmtInt(p.pendingN)} pending timers; restart` },
    { key: 'f3.setup', label: `setup: ${fmtInt(p.pendingN)} alarms, 10 min timer each` },
    { key: 'f3.wake', label: `${p.shortN} timers 2-5 s: wake late p50/p99 ms` },
    { key: 'f3.late', label: '  protocol lateMs p50 / p99 / max' },
    { key: 'f3x.wake', label: '  same, periodic reconciler stopped: wake' },
    { key: 'f3x.late', label: '  same, reconciler stopped: lateMs' },
    { key: 'f3.periodic', label: 'periodic reconciler pass' },
    { key: 'f3.restart', label: 'restart: startTocsin() total' },
    { key: 'f3.reconcile', label: '  of which reconciler start-up pass' },
    { key: 'f3.armed', label: '  timers armed after restart' },
    { section: `4. Memory with ${fmtInt(p.pendingN)} active alarms (after gc)` },
    { key: 'f4.rss', label: 'process RSS' },
    { key: 'f4.heap', label: 'JS heap used' },
    { key: 'f4.ext', label: 'external memory (WASM, buffers)' },
    {
      section: `5. DECT over OM AXI (TLS, OMM simulator on loopback), open loop ${p.rate}/s, ${Math.max(10, rateN)} alarms`,
    },
    { key: 'f5.send', label: 'SendMessage via the adapter p50 / p99 ms' },
    { key: 'f5.e2e', label: 'raise -> OrderOk -> response p50 / p99 ms' },
    { key: 'f5.rate', label: 'messages sent per second' },
    { section: '6. Live board: POST /api/v1/alarms -> card on the board in headless Chromium (SSE)' },
    { key: 'f6.board', label: 'POST -> card rendered p50 / p99 ms' },
  ];
}

function table(): string {
  const rs = rows();
  const modes: ModeName[] = ['embedded', 'cluster'];
  const labelW = Math.max(...rs.map((r) => ('label' in r ? r.label.length : 0)));
  const colW = modes.map((m) =>
    Math.max(m.length, ...rs.map((r) => ('key' in r ? (columns.get(m)!.get(r.key) ?? '-').length : 0))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(labelW) : c.padEnd(colW[i - 1]!)))
      .join(' | ')
      .trimEnd();
  const sep = ['-'.repeat(labelW), ...colW.map((w) => '-'.repeat(w))].join('-+-');
  const out = [line(['', ...modes.map((m) => m.toUpperCase())]), sep];
  for (const r of rs) {
    if ('section' in r) out.push(r.section);
    else out.push(line([r.label, ...modes.map((m) => columns.get(m)!.get(r.key) ?? '-')]));
  }
  return out.join('\n');
}

const descriptions = [
  `1. Closed loop: ${fmtInt(p.raiseN)} runtime.raise() calls, ${p.raiseConcurrency} in flight (bounded ${p.raiseCapMs / 1000} s); alarms/s over the loop; raise() = commit + timer enqueue + first notify; store commit timed by wrapping store.commit (includes waiting for the connection).`,
  `2. Open loop by the clock, ${p.rate}/s for ${p.rateDurationMs / 1000} s, not waiting for completion: performance.now() at issue -> the wrapped loopback notifier's send() for the alarm's first recipient; once via runtime.raise, once via HTTP POST /api/v1/alarms on a listening port (keep-alive client in the same process). "From intended" measures from the scheduled send time (no coordinated omission).`,
  `3. ${fmtInt(p.pendingN)} alarms with a 10 min level timer stay pending; then ${p.shortN} alarms with level timeouts 2.0-5.0 s (250 ms steps), raised open loop at ${fmtInt(p.shortN / (p.shortSpreadMs / 1000))}/s over ${p.shortSpreadMs / 1000} s (a load both modes sustain, so firing overlaps raising without a backlog). Wake = Date.now() when the runtime is asked to fire the timer minus dueAt; lateMs = the runtime's recorded lateness in the protocol (after loading alarm and timer). The same again with the periodic reconciler stopped (control: its pass re-arms every pending timer). Then one periodic reconciler pass, timed, then stop + startTocsin() on the same database, timing Reconciler.start() and counting the timers armed afterwards.`,
  `4. process.memoryUsage() right after raising the ${fmtInt(p.pendingN)} alarms of figure 3, after gc; the delta is over the same stack freshly started. Embedded RSS includes PGlite (the database runs in this process); cluster RSS excludes PostgreSQL and Redis.`,
  `5. The DECT channel as TOCSIN_DECT_* builds it, against the OMM simulator over TLS with a pinned certificate: alarms raised open loop at ${p.rate}/s notify two handsets each, one of which accepts at once. SendMessage = adapter.send(): the ledger's transaction + SendMessage + SendMessageResp over TLS. raise -> response = runtime.raise() issued until the handset's OrderOk is committed as the alarm's response (notify, SendMessage, Delivered, OrderOk, ledger, runtime).`,
  `6. One alarm at a time over HTTP POST (the admin's token) until playwright sees its card on the board of a logged-in admin in headless Chromium (1280x720): commit, change feed (pg_notify / PGlite listen), server-sent event, render. The issue's target is 1 s; three warm-up alarms are not counted.`,
];

async function measure(mode: ModeName, makeEnv: () => Promise<ModeEnv>, gc: GcInfo): Promise<void> {
  const cells = columns.get(mode)!;
  const phases: { name: string; keys: string[]; run: (env: ModeEnv) => Promise<void> }[] = [
    {
      name: 'figures 1-2',
      keys: ['f1.rate', 'f2r.lat', 'f2h.lat'],
      run: (env) => throughputAndLatency(env.config, p, cells, notes),
    },
    {
      name: 'figures 3-4',
      keys: ['f3.setup', 'f4.rss'],
      run: (env) => pendingTimersAndRestart(env.config, p, gc, cells, notes),
    },
    {
      name: 'figure 5',
      keys: ['f5.send', 'f5.e2e', 'f5.rate'],
      run: (env) => dectFigures(env.config, p, cells, notes),
    },
    {
      name: 'figure 6',
      keys: ['f6.board'],
      run: (env) => consoleFigures(env.config, p, cells, notes),
    },
  ];
  for (const phase of phases) {
    let env: ModeEnv | undefined;
    try {
      env = await makeEnv();
      await bounded(phase.run(env), 300_000, `${mode} ${phase.name}`);
    } catch (err) {
      const msg = (err as Error).message;
      notes.push(`${mode} ${phase.name} failed: ${(err as Error).stack ?? msg}`);
      for (const k of phase.keys) if (!cells.has(k)) cells.set(k, `failed: ${msg.slice(0, 80)}`);
    } finally {
      if (env)
        await bounded(env.cleanup(), 60_000, `${mode} cleanup`).catch((e: unknown) => notes.push((e as Error).message));
      gc.gc?.();
    }
    process.stderr.write(`  ${mode} ${phase.name} done at ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
}

async function main(): Promise<void> {
  const gc = getGc();
  process.stderr.write(`tocsin bench${p.quick ? ' --quick' : ''}: measuring embedded, then cluster ...\n`);
  const probe = await probeCluster();
  const cpu = cpus();
  const header = [
    `Tocsin benchmark${p.quick ? ' (--quick: counts ~10x smaller)' : ''} — ${new Date().toISOString()}`,
    `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${process.arch}; node ${process.version}`,
    `PostgreSQL ${probe.pgVersion ?? 'n/a'} (${pgUrl().replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}); Redis ${probe.redisVersion ?? 'n/a'} (${redisUrl()})`,
    `embedded data dir: temp dir on ${tempFsType()}, TOCSIN_EMBEDDED_FSYNC=on; memory: ${gc.how}`,
    'clock: SystemClock (real time); notifier: loopback, no journal; log level: silent; reconcile interval: 5 s (default)',
    `load average at start (1/5/15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} — other processes share these ${cpu.length} cores`,
  ];

  columns.get('embedded')!.set('mode', 'PGlite (disk) + in-process scheduler');
  await measure('embedded', embeddedEnv, gc);

  let hzLine: string;
  if (!probe.ok) {
    hzLine = 'Redis hz: not set (cluster not measured)';
    const cells = columns.get('cluster')!;
    cells.set('mode', 'not measured');
    notes.unshift(`CLUSTER column could not be measured: ${probe.why}`);
  } else {
    let hz: number | undefined;
    try {
      hz = await setRedisHz(BENCH_HZ);
    } catch (err) {
      notes.push(`could not CONFIG SET hz ${BENCH_HZ}: ${(err as Error).message}; measuring with hz ${probe.hzBefore}`);
    }
    const used = hz ?? probe.hzBefore;
    hzLine = `Redis hz used for the cluster runs: ${used}${probe.hzBefore !== undefined && probe.hzBefore !== used ? ` (was ${probe.hzBefore}; restored afterwards)` : ''}`;
    columns.get('cluster')!.set('mode', `PostgreSQL + BullMQ (Redis hz ${used})`);
    try {
      await measure('cluster', clusterEnv, gc);
    } finally {
      if (probe.hzBefore !== undefined && hz !== undefined && probe.hzBefore !== hz) {
        await setRedisHz(probe.hzBefore).catch((err: unknown) =>
          notes.push(`could not restore Redis hz ${probe.hzBefore}: ${(err as Error).message}`),
        );
      }
    }
  }

  header.push(
    `load average at end (1/5/15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
  );

  print([...header, hzLine]);
}

function print(header: string[]): void {
  const out = [...header, '', 'Figures:', ...descriptions.map((d) => `  ${d}`), '', table()];
  if (notes.length) out.push('', 'Notes:', ...notes.map((n) => `  - ${n}`));
  out.push('', `total bench time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(out.join('\n'));
}

async function cleanupAll(): Promise<void> {
  await Promise.allSettled([...pendingCleanups].map((c) => bounded(c(), 20_000, 'cleanup')));
}

const watchdogMs = p.quick ? 240_000 : 540_000;
const watchdog = setTimeout(() => {
  notes.push(
    `WATCHDOG: the bench did not finish within ${watchdogMs / 1000} s (something hung); partial figures above`,
  );
  print(['Tocsin benchmark — INCOMPLETE']);
  void cleanupAll().finally(() => process.exit(1));
}, watchdogMs);

process.once('SIGINT', () => {
  process.stderr.write('interrupted: cleaning up ...\n');
  void cleanupAll().finally(() => process.exit(130));
});

try {
  await main();
  clearTimeout(watchdog);
  await cleanupAll();
  process.exit(unhandled > 0 ? 1 : 0);
} catch (err) {
  console.error(err);
  await cleanupAll();
  process.exit(1);
}
