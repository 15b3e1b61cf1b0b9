// The in-process Scheduler: the shared conformance suite on the real clock, then unit and
// property tests on a VirtualClock (no real time at all).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ScheduledTimer } from '../../src/ports/scheduler.ts';
import { InProcessScheduler } from '../../src/scheduler/in-process-scheduler.ts';
import { SystemClock } from '../../src/scheduler/system-clock.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { schedulerConformance } from '../integration/scheduler-conformance.ts';

schedulerConformance(
  'in-process',
  async () => {
    const clock = new SystemClock();
    const instances = [new InProcessScheduler({ clock, retryDelayMs: 20 })];
    return {
      scheduler: instances[0]!,
      clock,
      async reopen() {
        const s = new InProcessScheduler({ clock, retryDelayMs: 20 });
        instances.push(s);
        return s;
      },
      async cleanup() {
        for (const s of instances) await s.stop();
      },
    };
  },
  { durableAcrossInstances: false },
);

const T0 = 1_700_000_000_000;
/** The n of an id made by `timer(n, ...)`. */
const num = (id: string): number => Number(id.split('-')[1]!.slice(1));
const timer = (n: number, dueAt: number): ScheduledTimer => ({ id: `t-a${n}-1-0`, alarmId: `a${n}`, dueAt });

interface Fired {
  readonly id: string;
  readonly dueAt: number;
  readonly at: number;
}

/** A started scheduler on a VirtualClock whose handler records (synchronously) each fire. */
async function virtualSetup(retryDelayMs = 1000, fail: (t: ScheduledTimer) => boolean = () => false) {
  const clock = new VirtualClock(T0);
  const scheduler = new InProcessScheduler({ clock, retryDelayMs });
  const fired: Fired[] = [];
  await scheduler.start(async (t) => {
    fired.push({ id: t.id, dueAt: t.dueAt, at: clock.now() });
    if (fail(t)) throw new Error('planned failure');
  });
  return { clock, scheduler, fired };
}

describe('InProcessScheduler on a VirtualClock', () => {
  it('fires each timer at exactly its dueAt, in due order', async () => {
    const { clock, scheduler, fired } = await virtualSetup();
    for (const [n, offset] of [
      [1, 300],
      [2, 100],
      [3, 200],
      [4, 100],
    ] as const) {
      await scheduler.schedule(timer(n, T0 + offset));
    }
    clock.advance(250);
    assert.deepEqual(
      fired.map((f) => [f.id, f.at - T0]),
      [
        ['t-a2-1-0', 100],
        ['t-a4-1-0', 100],
        ['t-a3-1-0', 200],
      ],
    );
    clock.advance(50);
    assert.deepEqual(fired.at(-1), { id: 't-a1-1-0', dueAt: T0 + 300, at: T0 + 300 });
  });

  it('fires 10,000 timers in dueAt order (ties in schedule order) with one clock timer', async () => {
    const { clock, scheduler, fired } = await virtualSetup();
    let seed = 42; // a fixed LCG so the shuffle is the same on every run
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 10_000; n++) await scheduler.schedule(timer(n, T0 + Math.floor(rand() * 60_000)));
    assert.equal(await scheduler.armedCount(), 10_000);
    assert.equal(clock.pending(), 1);
    clock.advance(60_000);
    assert.equal(fired.length, 10_000);
    assert.equal(new Set(fired.map((f) => f.id)).size, 10_000);
    for (let i = 0; i < fired.length; i++) {
      assert.equal(fired[i]!.at, fired[i]!.dueAt);
      if (i === 0) continue;
      const [prev, cur] = [fired[i - 1]!, fired[i]!];
      const tieInOrder = prev.dueAt < cur.dueAt || num(prev.id) < num(cur.id);
      assert.ok(prev.dueAt <= cur.dueAt && tieInOrder, `out of order at ${i}`);
    }
    assert.equal(clock.pending(), 0);
  });

  it('cancel disarms a timer and moves the clock timer to the next one', async () => {
    const { clock, scheduler, fired } = await virtualSetup();
    await scheduler.schedule(timer(1, T0 + 100));
    await scheduler.schedule(timer(2, T0 + 200));
    await scheduler.cancel('t-a1-1-0');
    assert.equal(clock.pending(), 1);
    clock.advance(150);
    assert.equal(fired.length, 0);
    clock.advance(50);
    assert.deepEqual(
      fired.map((f) => f.id),
      ['t-a2-1-0'],
    );
    await scheduler.cancel('t-a2-1-0'); // fired already: ignored
    assert.equal(clock.pending(), 0);
  });

  it('re-arms a throwing handler retryDelayMs after the failure, keeping dueAt', async () => {
    let failures = 1;
    const { clock, scheduler, fired } = await virtualSetup(1000, () => failures-- > 0);
    await scheduler.schedule(timer(1, T0 + 100));
    await clock.advanceAsync(100);
    assert.equal(await scheduler.isArmed('t-a1-1-0'), true);
    await clock.advanceAsync(999);
    assert.equal(fired.length, 1);
    await clock.advanceAsync(1);
    assert.deepEqual(
      fired.map((f) => f.at - T0),
      [100, 1100],
    );
    assert.deepEqual(
      fired.map((f) => f.dueAt - T0),
      [100, 100],
    );
    assert.equal(await scheduler.armedCount(), 0);
  });

  it('delivers nothing before start() and waits for running handlers in stop()', async () => {
    const clock = new VirtualClock(T0);
    const scheduler = new InProcessScheduler({ clock });
    await scheduler.schedule(timer(1, T0 + 10));
    clock.advance(100);
    assert.equal(await scheduler.isArmed('t-a1-1-0'), true);
    let release = (): void => {};
    let finished = false;
    await scheduler.start(async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
    });
    clock.advance(0); // the overdue timer fires now
    let stopDone = false;
    const stopped = scheduler.stop().then(() => (stopDone = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(stopDone, false, 'stop() returned while a handler was running');
    release();
    await stopped;
    assert.equal(finished, true);
  });

  it('keeps the survivors armed and firing after cancelling most of 200 timers', async () => {
    const { clock, scheduler, fired } = await virtualSetup();
    for (let n = 0; n < 200; n++) await scheduler.schedule(timer(n, T0 + 1000 + n));
    for (let n = 0; n < 200; n++) if (n % 4 !== 0) await scheduler.cancel(timer(n, 0).id);
    assert.equal(await scheduler.armedCount(), 50);
    clock.advance(2000);
    const expected = Array.from({ length: 50 }, (_, i) => timer(i * 4, 0).id);
    assert.deepEqual(
      fired.map((f) => f.id),
      expected,
    );
  });
});

type Op =
  | { readonly type: 'schedule'; readonly n: number; readonly offset: number }
  | { readonly type: 'cancel'; readonly n: number }
  | { readonly type: 'advance'; readonly ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant('schedule' as const), n: fc.nat(7), offset: fc.integer({ min: -50, max: 500 }) }),
  fc.record({ type: fc.constant('cancel' as const), n: fc.nat(7) }),
  fc.record({ type: fc.constant('advance' as const), ms: fc.nat(300) }),
);

describe('InProcessScheduler properties', () => {
  it('fires every armed, uncancelled timer exactly once, never early; cancelled ones never', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), async (ops) => {
        const { clock, scheduler, fired } = await virtualSetup();
        // The model: armed id -> {dueAt, armedAt}; expected fires in the order they happen.
        const armed = new Map<string, { dueAt: number; armedAt: number }>();
        const expected: Fired[] = [];
        const fireModel = (until: number): void => {
          const due = [...armed].filter(([, a]) => a.dueAt <= until);
          for (const [id, a] of due) {
            armed.delete(id);
            expected.push({ id, dueAt: a.dueAt, at: Math.max(a.dueAt, a.armedAt) });
          }
        };
        for (const op of ops) {
          if (op.type === 'schedule') {
            const t = timer(op.n, clock.now() + op.offset);
            if (!armed.has(t.id)) armed.set(t.id, { dueAt: t.dueAt, armedAt: clock.now() });
            await scheduler.schedule(t);
          } else if (op.type === 'cancel') {
            armed.delete(timer(op.n, 0).id);
            await scheduler.cancel(timer(op.n, 0).id);
          } else {
            fireModel(clock.now() + op.ms);
            clock.advance(op.ms);
          }
          assert.equal(await scheduler.armedCount(), armed.size);
        }
        fireModel(clock.now() + 1000);
        clock.advance(1000);
        const key = (f: Fired): string => `${f.at}:${f.dueAt}:${f.id}`;
        assert.deepEqual(fired.map(key).sort(), expected.map(key).sort());
        for (let i = 1; i < fired.length; i++) assert.ok(fired[i - 1]!.at <= fired[i]!.at);
        for (const f of fired) assert.ok(f.at >= f.dueAt);
      }),
    );
  });
});
