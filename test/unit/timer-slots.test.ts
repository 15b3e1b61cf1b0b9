// TimerSlots (adapters/shared/timer-slots.ts): the named timers a link transport keeps for its
// machine, on a manual TimerHost. Each case is a script of steps and the timers that fired, with
// the manual clock's time at which each fired.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimerSlots } from '../../adapters/shared/timer-slots.ts';
import { ManualTimers } from '../support/manual-timers.ts';

type Key = 'a' | 'b';
type Step =
  | { readonly arm: Key; readonly ms: number; readonly rearm?: number }
  | { readonly disarm: Key }
  | { readonly disarmAll: true }
  | { readonly advance: number };

const cases: readonly { readonly name: string; readonly steps: readonly Step[]; readonly fired: readonly string[] }[] =
  [
    // the plain case: a timer fires once, after its delay, and not again
    {
      name: 'fires once after ms',
      steps: [{ arm: 'a', ms: 100 }, { advance: 99 }, { advance: 1000 }],
      fired: ['a@100'],
    },
    // arming a name that is pending replaces the timer: only the later one fires, at its own time
    {
      name: 're-arming replaces',
      steps: [{ arm: 'a', ms: 100 }, { advance: 50 }, { arm: 'a', ms: 100 }, { advance: 1000 }],
      fired: ['a@150'],
    },
    // names are independent: arming or disarming one leaves the other pending
    {
      name: 'names are independent',
      steps: [{ arm: 'a', ms: 100 }, { arm: 'b', ms: 50 }, { disarm: 'b' }, { arm: 'b', ms: 200 }, { advance: 1000 }],
      fired: ['a@100', 'b@200'],
    },
    // disarm cancels; disarming again, or a name never armed, does nothing
    {
      name: 'disarm is idempotent',
      steps: [{ arm: 'a', ms: 100 }, { disarm: 'a' }, { disarm: 'a' }, { disarm: 'b' }, { advance: 1000 }],
      fired: [],
    },
    // disarmAll cancels every pending timer (a transport stopping), and the names can be armed again
    {
      name: 'disarmAll cancels all',
      steps: [
        { arm: 'a', ms: 100 },
        { arm: 'b', ms: 100 },
        { disarmAll: true },
        { arm: 'b', ms: 10 },
        { advance: 1000 },
      ],
      fired: ['b@10'],
    },
    // a timer that re-arms its own name when it fires (a machine's periodic poll): the new timer
    // stays pending and fires at its own time
    {
      name: 'a callback may re-arm its own name',
      steps: [{ arm: 'a', ms: 100, rearm: 30 }, { advance: 1000 }],
      fired: ['a@100', 'a@130'],
    },
    // ... and that new timer holds the slot (the fired one left it before its callback ran), so a
    // disarm cancels it
    {
      name: 'a re-armed timer can be disarmed',
      steps: [{ arm: 'a', ms: 100, rearm: 30 }, { advance: 100 }, { disarm: 'a' }, { advance: 1000 }],
      fired: ['a@100'],
    },
  ];

describe('TimerSlots', () => {
  for (const c of cases)
    it(c.name, () => {
      const host = new ManualTimers();
      const slots = new TimerSlots<Key>(host);
      const fired: string[] = [];
      for (const s of c.steps) {
        if ('arm' in s) {
          const { arm: key, rearm } = s;
          slots.arm(key, s.ms, () => {
            fired.push(`${key}@${host.now}`);
            if (rearm !== undefined) slots.arm(key, rearm, () => fired.push(`${key}@${host.now}`));
          });
        } else if ('disarm' in s) slots.disarm(s.disarm);
        else if ('disarmAll' in s) slots.disarmAll();
        else host.advance(s.advance);
      }
      assert.deepEqual(fired, c.fired);
      assert.deepEqual(host.pending(), [], 'no timer is left pending');
    });

  it('cancels through the host: a replaced timer is no longer pending there', () => {
    const host = new ManualTimers();
    const slots = new TimerSlots<Key>(host);
    slots.arm('a', 100, () => {});
    slots.arm('a', 300, () => {});
    slots.arm('b', 200, () => {});
    assert.deepEqual(host.pending(), [300, 200]);
    slots.disarm('a');
    assert.deepEqual(host.pending(), [200]);
  });
});
