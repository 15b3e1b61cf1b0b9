/**
 * Figures 3 and 4 on one fresh stack: N pending timers (set-up rate, memory), the lateness of
 * short timers with and without the periodic reconciler, a periodic pass, and a restart on the
 * same database with the reconciler's start-up pass timed.
 */
import { Reconciler, type ReconcileReport } from '../src/runtime/reconciler.ts';
import type { Config } from '../src/app/config.ts';
import type { Cells, Params } from './figures.ts';
import { startStack, type Stack, BACKGROUND_TYPE, SHORT_TIMEOUTS_MS, shortType } from './modes.ts';
import { bounded, fmtInt, fmtMiB, fmtMs, fmtP50P99, summarize } from './stats.ts';
import { ACTOR, closedLoop, cutNote, newId, openLoop, raiseReq, waitFor } from './loops.ts';

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
