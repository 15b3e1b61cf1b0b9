// One conformance suite for every Scheduler implementation. It runs on a real SystemClock
// (BullMQ cannot use a virtual one), so it never sleeps and never asserts a timing margin:
// it proves things by ordering (a later sentinel timer) and by waiting for events under a
// generous deadline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../src/ports/clock.ts';
import type { FireHandler, ScheduledTimer, Scheduler } from '../../src/ports/scheduler.ts';

export interface SchedulerHarness {
  /** A fresh, not yet started instance on a fresh backend namespace. */
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** A second fresh instance on the SAME backend namespace, not yet started. */
  reopen(): Promise<Scheduler>;
  /** Stops every instance made by this harness and deletes the backend namespace. */
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** True when armed timers live in the backend, so a fresh instance sees and fires them. */
  readonly durableAcrossInstances: boolean;
}

interface Fire {
  readonly timer: ScheduledTimer;
  readonly at: number;
  readonly ok: boolean;
}

/** Records every delivery with the clock time; throws for ids told to fail. */
class Recorder {
  readonly fires: Fire[] = [];
  private readonly failures = new Map<string, number>();
  constructor(private readonly clock: Clock) {}

  /** Makes the next `times` deliveries of `id` throw (Infinity: always). */
  fail(id: string, times: number): void {
    this.failures.set(id, times);
  }

  readonly handler: FireHandler = async (timer) => {
    const left = this.failures.get(timer.id) ?? 0;
    this.fires.push({ timer, at: this.clock.now(), ok: left <= 0 });
    if (left > 0) {
      this.failures.set(timer.id, left - 1);
      throw new Error(`planned failure of ${timer.id}`);
    }
  };

  of(id: string): Fire[] {
    return this.fires.filter((f) => f.timer.id === id);
  }

  okCount(id: string): number {
    return this.of(id).filter((f) => f.ok).length;
  }
}

/** Polls `predicate` until it holds; the deadline only turns a hang into a failure. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, what = 'condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let counter = 0;
/** A timer `offsetMs` from now with a fresh id of the documented form. */
function timerAt(clock: Clock, offsetMs: number, alarm = `alm${++counter}`): ScheduledTimer {
  return { id: `t-${alarm}-1-0`, alarmId: alarm, dueAt: clock.now() + offsetMs };
}

const HOUR_MS = 3_600_000;

export function schedulerConformance(
  name: string,
  make: () => Promise<SchedulerHarness>,
  opts: ConformanceOptions,
): void {
  /** Runs `body` with a fresh harness and a started recorder, always cleaning up. */
  async function withStarted(body: (h: SchedulerHarness, rec: Recorder) => Promise<void>): Promise<void> {
    const h = await make();
    try {
      const rec = new Recorder(h.clock);
      await h.scheduler.start(rec.handler);
      await body(h, rec);
    } finally {
      await h.cleanup();
    }
  }

  /** Arms a sentinel after everything else and waits for it, so earlier fires have settled. */
  async function drainWithSentinel(h: SchedulerHarness, rec: Recorder, afterMs: number): Promise<void> {
    const sentinel = timerAt(h.clock, afterMs);
    await h.scheduler.schedule(sentinel);
    await waitFor(() => rec.okCount(sentinel.id) > 0, { what: 'the sentinel timer' });
  }

  describe(`Scheduler conformance: ${name}`, () => {
    it('fires a timer armed before start() exactly once, never before dueAt', async () => {
      const h = await make();
      try {
        const x = timerAt(h.clock, 30);
        await h.scheduler.schedule(x);
        const rec = new Recorder(h.clock);
        await h.scheduler.start(rec.handler);
        await drainWithSentinel(h, rec, 80);
        const fires = rec.of(x.id);
        assert.equal(fires.length, 1);
        assert.deepEqual(fires[0]!.timer, x);
        assert.ok(fires[0]!.at >= x.dueAt, `fired at ${fires[0]!.at}, due ${x.dueAt}`);
      } finally {
        await h.cleanup();
      }
    });

    it('ignores scheduling an armed id again (the first dueAt stands)', () =>
      withStarted(async (h, rec) => {
        // Offsets leave room for a loaded machine: the second schedule must precede the fire.
        const first = timerAt(h.clock, 200);
        await h.scheduler.schedule(first);
        await h.scheduler.schedule({ ...first, dueAt: first.dueAt - 150 });
        assert.equal(await h.scheduler.armedCount(), 1);
        await drainWithSentinel(h, rec, 250);
        const fires = rec.of(first.id);
        assert.equal(fires.length, 1);
        assert.equal(fires[0]!.timer.dueAt, first.dueAt);
        assert.ok(fires[0]!.at >= first.dueAt);
      }));

    it('never fires a cancelled timer; cancel is idempotent', () =>
      withStarted(async (h, rec) => {
        const x = timerAt(h.clock, 250);
        await h.scheduler.schedule(x);
        await h.scheduler.cancel(x.id);
        // Cancelling a timer that is already running is allowed to lose (fencing covers it),
        // so the case only means something when the cancel completed before X fell due.
        assert.ok(h.clock.now() < x.dueAt, 'precondition: cancel() returned before X fell due');
        await h.scheduler.cancel(x.id);
        await h.scheduler.cancel('t-unknown-1-0');
        // Y falls due 50 ms after X; once Y has fired, X would have fired too.
        await drainWithSentinel(h, rec, x.dueAt + 50 - h.clock.now());
        assert.deepEqual(rec.of(x.id), []);
      }));

    it('fires an overdue timer before a timer due later', () =>
      withStarted(async (h, rec) => {
        const later = timerAt(h.clock, 2000);
        const overdue = timerAt(h.clock, -1000);
        await h.scheduler.schedule(later);
        await h.scheduler.schedule(overdue);
        await waitFor(() => rec.fires.length > 0, { what: 'the overdue timer' });
        assert.equal(rec.fires[0]!.timer.id, overdue.id);
        assert.equal(rec.fires.length, 1);
      }));

    it('retries a handler that throws, keeping the original dueAt (at-least-once)', () =>
      withStarted(async (h, rec) => {
        const x = timerAt(h.clock, 20);
        rec.fail(x.id, 1);
        await h.scheduler.schedule(x);
        await waitFor(() => rec.okCount(x.id) > 0, { what: 'the retried delivery' });
        const fires = rec.of(x.id);
        assert.deepEqual(
          fires.map((f) => f.ok),
          [false, true],
        );
        for (const f of fires) assert.deepEqual(f.timer, x);
        assert.ok(fires[0]!.at >= x.dueAt && fires[1]!.at >= fires[0]!.at);
        assert.equal(await h.scheduler.isArmed(x.id), false);
      }));

    it('reports armed timers through isArmed and armedCount; ping resolves', () =>
      withStarted(async (h, rec) => {
        await h.scheduler.ping();
        const far = timerAt(h.clock, HOUR_MS);
        const soon = timerAt(h.clock, 300);
        await h.scheduler.schedule(far);
        await h.scheduler.schedule(soon);
        assert.equal(await h.scheduler.armedCount(), 2);
        assert.equal(await h.scheduler.isArmed(far.id), true);
        assert.equal(await h.scheduler.isArmed(soon.id), true);
        assert.equal(await h.scheduler.isArmed('t-unknown-1-0'), false);
        await h.scheduler.cancel(far.id);
        assert.equal(await h.scheduler.isArmed(far.id), false);
        assert.equal(await h.scheduler.armedCount(), 1);
        await waitFor(() => rec.okCount(soon.id) > 0, { what: 'the soon timer' });
        assert.equal(await h.scheduler.isArmed(soon.id), false);
        assert.equal(await h.scheduler.armedCount(), 0);
      }));

    it('fires 200 timers with distinct ids exactly once each', () =>
      withStarted(async (h, rec) => {
        const timers = Array.from({ length: 200 }, (_, i) => timerAt(h.clock, 20 + (i % 25) * 4));
        await Promise.all(timers.map((t) => h.scheduler.schedule(t)));
        await waitFor(() => new Set(rec.fires.map((f) => f.timer.id)).size >= 200, {
          what: '200 distinct fires',
        });
        await drainWithSentinel(h, rec, 150);
        for (const t of timers) {
          const fires = rec.of(t.id);
          assert.equal(fires.length, 1, `${t.id} fired ${fires.length} times`);
          assert.ok(fires[0]!.at >= t.dueAt, `${t.id} fired before its dueAt`);
        }
      }));

    it(
      opts.durableAcrossInstances
        ? 'a fresh instance on the same backend sees and fires timers armed before stop()'
        : 'armed timers stay in the stopped instance; a fresh instance starts empty',
      async () => {
        const h = await make();
        try {
          const rec1 = new Recorder(h.clock);
          await h.scheduler.start(rec1.handler);
          const far = timerAt(h.clock, HOUR_MS);
          const x = timerAt(h.clock, 20);
          rec1.fail(x.id, Infinity); // this node never completes X: it must be retried elsewhere
          await h.scheduler.schedule(far);
          await h.scheduler.schedule(x);
          await waitFor(() => rec1.of(x.id).length > 0, { what: 'the first attempt at X' });
          await h.scheduler.stop();
          const second = await h.reopen();
          const rec2 = new Recorder(h.clock);
          await second.start(rec2.handler);
          if (opts.durableAcrossInstances) {
            assert.equal(await second.isArmed(far.id), true);
            await waitFor(() => rec2.okCount(x.id) > 0, { what: 'X on the fresh instance' });
            assert.deepEqual(rec2.of(x.id)[0]!.timer, x);
            assert.equal(await second.armedCount(), 1);
          } else {
            assert.equal(await second.armedCount(), 0);
            assert.equal(await second.isArmed(far.id), false);
            assert.equal(await h.scheduler.armedCount(), 2);
            assert.equal(await h.scheduler.isArmed(x.id), true);
          }
          assert.ok(rec1.of(x.id).every((f) => !f.ok));
        } finally {
          await h.cleanup();
        }
      },
    );
  });
}
