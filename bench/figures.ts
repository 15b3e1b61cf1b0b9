/**
 * The measurements. Every loop is bounded in count AND in time, and stops by itself.
 * Each function fills cells (row key → printed value) for one mode's column.
 */
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { RaiseRequest } from '../src/runtime/alarm-runtime.ts';
import { Reconciler, type ReconcileReport } from '../src/runtime/reconciler.ts';
import type { Actor } from '../src/domain/alarm.ts';
import type { Config } from '../src/app/config.ts';
import { startStack, type Stack, BACKGROUND_TYPE, LONG_TYPE, SHORT_TIMEOUTS_MS, shortType } from './modes.ts';
import { bounded, fmtInt, fmtMiB, fmtMs, fmtP50P99, sleep, summarize } from './stats.ts';
import { fsyncCounter } from './fsync-counter.ts';
import { StallMonitor } from './stall-monitor.ts';

export interface Params {
  readonly quick: boolean;
  readonly raiseN: number;
  readonly raiseConcurrency: number;
  readonly raiseCapMs: number;
  readonly rate: number;
  readonly rateDurationMs: number;
  readonly drainCapMs: number;
  readonly pendingN: number;
  readonly pendingCapMs: number;
  readonly shortN: number;
  readonly shortSpreadMs: number;
}

export const fullParams: Params = {
  quick: false,
  raiseN: 2000,
  raiseConcurrency: 32,
  raiseCapMs: 30_000,
  rate: 50,
  rateDurationMs: 15_000,
  drainCapMs: 20_000,
  pendingN: 10_000,
  pendingCapMs: 95_000,
  shortN: 300,
  shortSpreadMs: 6000,
};

export const quickParams: Params = {
  ...fullParams,
  quick: true,
  raiseN: 200,
  raiseCapMs: 15_000,
  rateDurationMs: 1_500,
  drainCapMs: 10_000,
  pendingN: 1000,
  pendingCapMs: 30_000,
  shortN: 30,
  shortSpreadMs: 1500,
};

export type Cells = Map<string, string>;

const ACTOR: Actor = { kind: 'device', id: 'bench' };
/** Random UUIDs, like the runtime's own default ids (the tag only documents the call site). */
const newId = (_tag: string): string => randomUUID();
const raiseReq = (type: string, id: string): RaiseRequest => ({
  type,
  text: 'benchmark alarm',
  location: 'deck 7',
  source: { adapter: 'bench' },
  id,
});

/** Runs `task(i)` for i < n with `concurrency` in flight, until n done or `capMs` passed. */
async function closedLoop(
  n: number,
  concurrency: number,
  capMs: number,
  task: (i: number) => Promise<void>,
): Promise<{ done: number; errors: number; firstError?: string; elapsedMs: number; cut: boolean }> {
  const t0 = performance.now();
  const deadline = t0 + capMs;
  let next = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      try {
        await task(i);
        done++;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { done, errors, ...(firstError ? { firstError } : {}), elapsedMs: performance.now() - t0, cut: next < n };
}

/** Open loop: calls `fire(i, intended)` at `rate` per second by the clock, never waiting for completion. */
async function openLoop(
  rate: number,
  durationMs: number,
  fire: (i: number, intended: number) => void,
): Promise<{ issued: number; lagP99: number }> {
  const n = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  const t0 = performance.now();
  const lags: number[] = [];
  let i = 0;
  // Bounded by count (n) and by time (the schedule plus 5 s of slack).
  while (i < n && performance.now() < t0 + durationMs + 5000) {
    const now = performance.now();
    while (i < n && t0 + i * interval <= now) {
      const intended = t0 + i * interval;
      lags.push(now - intended);
      fire(i++, intended);
    }
    if (i < n) await sleep(t0 + i * interval - performance.now());
  }
  return { issued: i, lagP99: summarize(lags).p99 };
}

/** Waits until `done()` or `capMs`, polling every 20 ms. Returns true when done. */
async function waitFor(done: () => boolean, capMs: number): Promise<boolean> {
  const deadline = performance.now() + capMs;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

function cutNote(r: { done: number; errors: number; cut: boolean; firstError?: string }, n: number): string {
  const parts: string[] = [];
  if (r.cut) parts.push(`time cap hit after ${fmtInt(r.done)}/${fmtInt(n)}`);
  if (r.errors) parts.push(`${r.errors} errors, first: ${r.firstError}`);
  return parts.length ? ` [${parts.join('; ')}]` : '';
}

/** Figures 1 and 2 on one fresh stack. */
export async function throughputAndLatency(config: Config, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const stack = await startStack(config);
  try {
    await figure1(stack, p, cells);
    await figure2Runtime(stack, p, cells, notes);
    await figure2Http(stack, p, cells, notes);
  } finally {
    await bounded(stack.tocsin.stop(), 60_000, 'stop');
  }
}

async function figure1(stack: Stack, p: Params, cells: Cells): Promise<void> {
  const { runtime } = stack.tocsin;
  const lat: number[] = [];
  stack.commits.length = 0;
  const fs0 = fsyncCounter.snapshot();
  const stalls = new StallMonitor();
  stalls.start();
  const r = await closedLoop(p.raiseN, p.raiseConcurrency, p.raiseCapMs, async (i) => {
    const t0 = performance.now();
    await runtime.raise(raiseReq(LONG_TYPE, newId(`f1x${i}`)), ACTOR);
    lat.push(performance.now() - t0);
  });
  const st = stalls.stop();
  const fs = fsyncCounter.since(fs0);
  const commits = [...stack.commits];
  cells.set('f1.rate', `${fmtInt(r.done / (r.elapsedMs / 1000))} /s${cutNote(r, p.raiseN)}`);
  cells.set('f1.raise', fmtP50P99(lat));
  cells.set('f1.commit', fmtP50P99(commits));
  cells.set(
    'f1.eld',
    `${fmtMs(st.maxMs)} ms longest; ${(st.stalledShare * 100).toFixed(0)}% of the time in stalls > 20 ms`,
  );
  cells.set(
    'f1.fsync',
    fs.calls === 0
      ? 'none'
      : `${(fs.calls / Math.max(1, commits.length)).toFixed(2)} /commit, ${fmtMs(fs.p50)} / ${fmtMs(fs.p99)} ms, ${fmtMs(fs.totalMs)} ms total`,
  );
}

async function figure2Runtime(stack: Stack, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const { runtime } = stack.tocsin;
  const n = stack.notifier;
  n.reset();
  let errors = 0;
  let firstError: string | undefined;
  const offered = await openLoop(p.rate, p.rateDurationMs, (i, intended) => {
    const id = newId(`f2r${i}`);
    n.expect(id, performance.now(), intended);
    runtime.raise(raiseReq(LONG_TYPE, id), ACTOR).catch((err: unknown) => {
      errors++;
      firstError ??= (err as Error).message;
      n.unexpect(id);
    });
  });
  const complete = await waitFor(() => n.outstanding === 0, p.drainCapMs);
  await bounded(runtime.drain(), p.drainCapMs, 'drain after figure 2 (runtime)');
  cells.set('f2r.lat', latencyCell(n.fromIssue, offered.issued, complete, errors, firstError));
  cells.set('f2r.co', `${fmtMs(summarize(n.fromIntended).p99)} (sender lag p99 ${fmtMs(offered.lagP99)})`);
  if (!complete)
    notes.push(
      `figure 2 (runtime): ${n.outstanding} alarms had no first send within ${p.drainCapMs / 1000} s after the last raise`,
    );
  n.reset();
}

async function figure2Http(stack: Stack, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const { port } = await stack.tocsin.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const n = stack.notifier;
  n.reset();
  let errors = 0;
  let firstError: string | undefined;
  const statuses = new Map<number, number>();
  const post = (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/alarms',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${stack.token}`,
          },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('HTTP request timed out after 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  try {
    // Warm-up: the first request pays for connection set-up and lazy route compilation.
    await post(JSON.stringify({ type: LONG_TYPE, text: 'warm-up', id: newId('f2hw') }));
    const offered = await openLoop(p.rate, p.rateDurationMs, (i, intended) => {
      const id = newId(`f2h${i}`);
      n.expect(id, performance.now(), intended);
      post(
        JSON.stringify({
          type: LONG_TYPE,
          text: 'benchmark alarm',
          location: 'deck 7',
          source: { adapter: 'bench' },
          id,
        }),
      )
        .then((status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 201) {
            errors++;
            firstError ??= `HTTP ${status}`;
            n.unexpect(id);
          }
        })
        .catch((err: unknown) => {
          errors++;
          firstError ??= (err as Error).message;
          n.unexpect(id);
        });
    });
    const complete = await waitFor(() => n.outstanding === 0, p.drainCapMs);
    await bounded(stack.tocsin.runtime.drain(), p.drainCapMs, 'drain after figure 2 (HTTP)');
    cells.set('f2h.lat', latencyCell(n.fromIssue, offered.issued, complete, errors, firstError));
    cells.set('f2h.co', `${fmtMs(summarize(n.fromIntended).p99)} (sender lag p99 ${fmtMs(offered.lagP99)})`);
    if (!complete)
      notes.push(
        `figure 2 (HTTP): ${n.outstanding} alarms had no first send within ${p.drainCapMs / 1000} s after the last request`,
      );
  } finally {
    agent.destroy();
    n.reset();
  }
}

function latencyCell(
  samples: readonly number[],
  issued: number,
  complete: boolean,
  errors: number,
  firstError?: string,
): string {
  const s = summarize(samples);
  let out = `${fmtMs(s.p50)} / ${fmtMs(s.p99)} / ${fmtMs(s.max)}`;
  if (s.n !== issued) out += ` (n=${s.n}/${issued})`;
  if (!complete) out += ' [bound hit]';
  if (errors) out += ` [${errors} errors, first: ${firstError}]`;
  return out;
}

export interface GcInfo {
  readonly gc: (() => void) | undefined;
  readonly how: string;
}

function memory(gc: GcInfo): NodeJS.MemoryUsage {
  if (gc.gc) {
    gc.gc();
    gc.gc();
  }
  return process.memoryUsage();
}

/** Figures 3 and 4 on one fresh stack: N pending timers, RSS, short timers' lateness, restart. */
export async function pendingTimersAndRestart(
  config: Config,
  p: Params,
  gc: GcInfo,
  cells: Cells,
  notes: string[],
): Promise<void> {
  let stack: Stack | undefined = await startStack(config);
  try {
    const { runtime, scheduler } = stack.tocsin;
    const base = memory(gc);

    // N alarms whose level timer (10 min) stays pending for the rest of the run.
    const bg = await closedLoop(p.pendingN, p.raiseConcurrency, p.pendingCapMs, async (i) => {
      await runtime.raise(raiseReq(BACKGROUND_TYPE, newId(`bg${i}`)), ACTOR);
    });
    await bounded(runtime.drain(), 60_000, 'drain after background raises');
    const armed = await scheduler.armedCount();
    cells.set(
      'f3.setup',
      `${fmtInt(bg.done)} raised in ${fmtMs(bg.elapsedMs / 1000)} s (${fmtInt(bg.done / (bg.elapsedMs / 1000))} /s), ${fmtInt(armed)} armed${cutNote(bg, p.pendingN)}`,
    );

    // Figure 4: memory with N active alarms.
    const m = memory(gc);
    const delta = (a: number, b: number) => `${a >= b ? '+' : '-'}${fmtMiB(Math.abs(a - b))}`;
    cells.set('f4.rss', `${fmtMiB(m.rss)} (${delta(m.rss, base.rss)} over the idle stack)`);
    cells.set('f4.heap', `${fmtMiB(m.heapUsed)} (${delta(m.heapUsed, base.heapUsed)})`);
    cells.set('f4.ext', `${fmtMiB(m.external)} (${delta(m.external, base.external)})`);

    // Short timers with the periodic reconciler running (the default), then with it stopped.
    await shortTimers(stack, p, cells, notes, 'f3');
    await bounded(stack.tocsin.reconciler.stop(), 60_000, 'reconciler stop');
    await shortTimers(stack, p, cells, notes, 'f3x');

    // A periodic reconciler pass over N pending, already-armed timers (what runs every interval).
    const t0 = performance.now();
    const warm = await bounded(stack.tocsin.reconciler.reconcileOnce(), 120_000, 'periodic reconcile pass');
    cells.set(
      'f3.periodic',
      `${fmtMs(performance.now() - t0)} ms (armed ${fmtInt(warm.armed)}, fired ${warm.fired}, every ${config.reconcileIntervalMs / 1000} s)`,
    );

    // Restart on the same database: stop, then startTocsin again (timing the reconciler's start-up pass).
    const s0 = performance.now();
    await bounded(stack.tocsin.stop(), 60_000, 'stop before restart');
    const stopMs = performance.now() - s0;
    stack = undefined;
    const timing = await timeReconcilerStart(async () => {
      const r0 = performance.now();
      const s = await bounded(startStack(config), 180_000, 'restart');
      return { stack: s, ms: performance.now() - r0 };
    });
    stack = timing.result.stack;
    const armedAfter = await stack.tocsin.scheduler.armedCount();
    const pendingRows = await countPending(stack);
    const rep = timing.report;
    cells.set('f3.restart', `${fmtMs(timing.result.ms)} ms (stop took ${fmtMs(stopMs)} ms)`);
    cells.set(
      'f3.reconcile',
      rep
        ? `${fmtMs(timing.passMs)} ms (counted armed ${fmtInt(rep.armed)}, fired ${rep.fired}, errors ${rep.errors})`
        : 'not observed',
    );
    cells.set('f3.armed', `${fmtInt(armedAfter)} armed of ${fmtInt(pendingRows)} pending rows`);
    if (armedAfter < pendingRows) {
      notes.push(
        `${config.mode}: after the restart ${armedAfter} of ${pendingRows} pending timer rows are armed in the scheduler (reconciler armed ${rep?.armed}): by design it arms only timers due within two reconcile intervals; the rest are armed as they approach.`,
      );
    }
  } finally {
    if (stack) await bounded(stack.tocsin.stop(), 60_000, 'stop');
  }
}

/**
 * Raises shortN alarms whose level timeouts spread over 2–5 s (open loop over shortSpreadMs)
 * and measures the lateness of THEIR first timer; then cancels them again, so only the
 * background timers stay pending.
 */
async function shortTimers(stack: Stack, p: Params, cells: Cells, notes: string[], key: string): Promise<void> {
  const { runtime, store } = stack.tocsin;
  const short = new Set<string>();
  const wake = new Map<string, { late: number; via: string }>();
  stack.fireHook = (timer, via, wallMs) => {
    if (short.has(timer.alarmId) && !wake.has(timer.alarmId))
      wake.set(timer.alarmId, { late: wallMs - timer.dueAt, via });
  };
  let errors = 0;
  const ids: string[] = [];
  try {
    await openLoop(p.shortN / (p.shortSpreadMs / 1000), p.shortSpreadMs, (i) => {
      const ms = SHORT_TIMEOUTS_MS[i % SHORT_TIMEOUTS_MS.length]!;
      const id = newId(`s${i}`);
      short.add(id);
      ids.push(id);
      runtime.raise(raiseReq(shortType(ms), id), ACTOR).catch(() => errors++);
    });
    const boundMs = Math.max(...SHORT_TIMEOUTS_MS) + 20_000;
    const allFired = await waitFor(() => wake.size >= ids.length - errors, boundMs);
    await bounded(runtime.drain(), 30_000, 'drain after short timers');
    if (!allFired)
      notes.push(
        `${key}: only ${wake.size}/${ids.length} short timers fired within ${boundMs / 1000} s of the last raise`,
      );
    if (errors) notes.push(`${key}: ${errors} short-timer raises failed`);
  } finally {
    stack.fireHook = undefined;
  }
  const protocolLate: number[] = [];
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map(async (id) => {
        const entry = (await store.listProtocol(id)).find((e) => e.kind === 'timer');
        if (entry?.lateMs != null) protocolLate.push(entry.lateMs);
      }),
    );
  }
  const wakes = [...wake.values()];
  const byReconciler = wakes.filter((w) => w.via === 'reconciler').length;
  cells.set(
    `${key}.wake`,
    fmtP50P99(
      wakes.map((w) => w.late),
      ids.length,
    ) + (byReconciler ? ` (${byReconciler} first via reconciler)` : ''),
  );
  const pl = summarize(protocolLate);
  cells.set(
    `${key}.late`,
    `${fmtMs(pl.p50)} / ${fmtMs(pl.p99)} / ${fmtMs(pl.max)}${pl.n !== ids.length ? ` (n=${pl.n}/${ids.length})` : ''}`,
  );
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map((id) => runtime.cancel(id, 'bench', 'benchmark clean-up', ACTOR).catch(() => {})),
    );
  }
  await bounded(runtime.drain(), 30_000, 'drain after cancelling short alarms');
}

/** Pending timer rows in the store: one unpaged read through the port. */
async function countPending(stack: Stack): Promise<number> {
  return (await stack.tocsin.store.pendingTimers({ limit: 1_000_000 })).length;
}

/** Times Reconciler#start (the start-up pass) during `fn` by wrapping the prototype method briefly. */
async function timeReconcilerStart<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; passMs: number; report: ReconcileReport | undefined }> {
  const proto = Reconciler.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'start')!;
  let passMs = Number.NaN;
  let report: ReconcileReport | undefined;
  const start = proto.start;
  proto.start = async function (this: Reconciler) {
    const t0 = performance.now();
    report = await start.call(this);
    passMs = performance.now() - t0;
    return report;
  };
  try {
    const result = await fn();
    return { result, passMs, report };
  } finally {
    Object.defineProperty(proto, 'start', original);
  }
}
