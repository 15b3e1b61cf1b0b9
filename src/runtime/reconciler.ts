/**
 * The reconciler repairs what a crash, a lost Redis or a missed enqueue left behind, by
 * recomputing from the database (the truth): pending timers that are overdue are fired
 * (their lateness recorded), those falling due within the horizon (two intervals) are
 * (re-)armed in the scheduler (idempotent), and outbox rows whose lease expired are run
 * again. It runs at start-up and then periodically. Timers due later are left alone: a pass
 * arms each one at the latest two intervals before it falls due, so the cost of a pass
 * follows the timers coming due, not all pending ones.
 */
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { AlarmRuntime } from './alarm-runtime.ts';
import type { EffectRunner } from './effect-runner.ts';
import type { Logger } from './observer.ts';

export interface ReconcileReport {
  readonly fired: number;
  readonly armed: number;
  readonly effects: number;
  readonly errors: number;
}

export interface ReconcilerOptions {
  readonly store: AlarmStore;
  readonly scheduler: Scheduler;
  readonly runtime: AlarmRuntime;
  readonly effects: EffectRunner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** Rows read per page. */
  readonly pageSize?: number;
}

export class Reconciler {
  private handle: TimerHandle | undefined;
  private running: Promise<ReconcileReport> | undefined;
  private stopped = true;

  constructor(private readonly o: ReconcilerOptions) {}

  /** One full pass. Concurrent calls share the pass in flight. Never throws (errors are counted). */
  reconcileOnce(): Promise<ReconcileReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs a pass now and then every `intervalMs` until `stop()`. */
  async start(): Promise<ReconcileReport> {
    this.stopped = false;
    const report = await this.reconcileOnce();
    this.arm();
    return report;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) this.o.clock.clearTimer(this.handle);
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    this.handle = this.o.clock.setTimer(this.o.clock.now() + this.o.intervalMs, () => {
      void this.reconcileOnce().finally(() => this.arm());
    });
  }

  private async pass(): Promise<ReconcileReport> {
    const { store, scheduler, runtime, clock, logger } = this.o;
    const pageSize = this.o.pageSize ?? 500;
    let fired = 0;
    let armed = 0;
    let errors = 0;
    try {
      let afterId: string | undefined;
      for (;;) {
        const horizon = clock.now() + 2 * this.o.intervalMs;
        const page = await store.pendingTimers({ limit: pageSize, dueBefore: horizon, afterId: afterId ?? '' });
        if (page.length === 0) break;
        afterId = page[page.length - 1]!.id;
        const now = clock.now();
        await Promise.all(
          page.map(async (t) => {
            const timer = { id: t.id, alarmId: t.alarmId, dueAt: t.dueAt };
            try {
              if (t.dueAt <= now) {
                if (await runtime.fireTimer(timer, 'reconciler')) fired++;
              } else {
                await scheduler.schedule(timer);
                armed++;
              }
            } catch (err) {
              errors++;
              logger.warn({ alarmId: t.alarmId, timer: t.id, err }, 'reconcile of timer failed');
            }
          }),
        );
        if (page.length < pageSize) break;
      }
    } catch (err) {
      errors++;
      logger.warn({ err }, 'reconcile pass could not read timers');
    }
    let effects = 0;
    for (;;) {
      const n = await this.o.effects.runPending(undefined, 100);
      effects += n;
      if (n < 100) break;
    }
    if (fired > 0 || errors > 0) logger.info({ fired, armed, effects, errors }, 'reconciled');
    return { fired, armed, effects, errors };
  }
}
