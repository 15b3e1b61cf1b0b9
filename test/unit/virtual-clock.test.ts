// VirtualClock: table-driven cases (a comment on each), then the error cases and the
// difference between advance() and advanceAsync().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';

type Step =
  | { readonly set: string; readonly at: number }
  | { readonly clear: string }
  | { readonly advance: number }
  | { readonly advanceTo: number };

interface Case {
  readonly name: string;
  readonly steps: readonly Step[];
  /** [label, now() seen by the callback], in firing order. */
  readonly fired: ReadonlyArray<readonly [string, number]>;
  readonly now: number;
  readonly pending: number;
}

const cases: readonly Case[] = [
  // A due timer sees now() equal to its due time, not the advance target.
  { name: 'due time', steps: [{ set: 'a', at: 30 }, { advance: 100 }], fired: [['a', 30]], now: 100, pending: 0 },
  // Equal due times fire in the order the timers were set.
  {
    name: 'ties',
    steps: [{ set: 'b', at: 50 }, { set: 'a', at: 50 }, { set: 'c', at: 50 }, { advance: 50 }],
    fired: [
      ['b', 50],
      ['a', 50],
      ['c', 50],
    ],
    now: 50,
    pending: 0,
  },
  // Creation order does not matter across different due times.
  {
    name: 'due order',
    steps: [{ set: 'late', at: 90 }, { set: 'early', at: 10 }, { set: 'mid', at: 40 }, { advance: 100 }],
    fired: [
      ['early', 10],
      ['mid', 40],
      ['late', 90],
    ],
    now: 100,
    pending: 0,
  },
  // A timer beyond the advance window stays pending and time stops at the target.
  { name: 'not yet due', steps: [{ set: 'a', at: 101 }, { advance: 100 }], fired: [], now: 100, pending: 1 },
  // The boundary is inclusive: a timer due exactly at the target fires.
  { name: 'boundary', steps: [{ set: 'a', at: 100 }, { advanceTo: 100 }], fired: [['a', 100]], now: 100, pending: 0 },
  // A cleared timer never fires; the others still do.
  {
    name: 'clear',
    steps: [{ set: 'a', at: 10 }, { set: 'b', at: 20 }, { clear: 'a' }, { advance: 30 }],
    fired: [['b', 20]],
    now: 30,
    pending: 0,
  },
  // Clearing an already fired handle does nothing.
  {
    name: 'clear after fire',
    steps: [{ set: 'a', at: 10 }, { advance: 10 }, { clear: 'a' }, { set: 'b', at: 20 }, { advance: 10 }],
    fired: [
      ['a', 10],
      ['b', 20],
    ],
    now: 20,
    pending: 0,
  },
  // A timer set in the past fires on the next advance, even advance(0), at the current time.
  {
    name: 'past due',
    steps: [{ advance: 100 }, { set: 'a', at: 40 }, { advance: 0 }],
    fired: [['a', 100]],
    now: 100,
    pending: 0,
  },
  // Several small advances fire each timer in the step that reaches it.
  {
    name: 'stepwise',
    steps: [{ set: 'a', at: 15 }, { set: 'b', at: 25 }, { advance: 10 }, { advance: 10 }, { advance: 10 }],
    fired: [
      ['a', 15],
      ['b', 25],
    ],
    now: 30,
    pending: 0,
  },
];

describe('VirtualClock (table)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const clock = new VirtualClock(0);
      const fired: Array<readonly [string, number]> = [];
      const handles = new Map<string, ReturnType<VirtualClock['setTimer']>>();
      for (const step of c.steps) {
        if ('set' in step)
          handles.set(
            step.set,
            clock.setTimer(step.at, () => fired.push([step.set, clock.now()])),
          );
        else if ('clear' in step) clock.clearTimer(handles.get(step.clear)!);
        else if ('advance' in step) clock.advance(step.advance);
        else clock.advanceTo(step.advanceTo);
      }
      assert.deepEqual(fired, c.fired);
      assert.equal(clock.now(), c.now);
      assert.equal(clock.pending(), c.pending);
    });
  }
});

describe('VirtualClock', () => {
  it('fires, in the same advance, a timer set by a firing timer inside the window', () => {
    const clock = new VirtualClock(1000);
    const seen: number[] = [];
    clock.setTimer(1010, () => {
      seen.push(clock.now());
      clock.setTimer(clock.now() + 5, () => seen.push(clock.now()));
    });
    clock.advance(20);
    assert.deepEqual(seen, [1010, 1015]);
  });

  it('refuses to move backwards', () => {
    const clock = new VirtualClock(500);
    assert.throws(() => clock.advanceTo(499), RangeError);
    assert.throws(() => clock.advance(-1), RangeError);
    assert.equal(clock.now(), 500);
  });

  it('advanceAsync lets promise chains started by a timer set timers in the window', async () => {
    // The timer callback continues asynchronously and only then arms a follow-up timer.
    const run = async (useAsync: boolean): Promise<number[]> => {
      const clock = new VirtualClock(0);
      const seen: number[] = [];
      clock.setTimer(10, () => {
        void Promise.resolve().then(() => clock.setTimer(clock.now() + 5, () => seen.push(clock.now())));
      });
      if (useAsync) await clock.advanceAsync(100);
      else clock.advance(100);
      return seen;
    };
    assert.deepEqual(await run(true), [15]);
    assert.deepEqual(await run(false), []);
  });
});
