// The registry's guards and actions (machines/registry.ts) through the pure decision of
// machines/plan-step.ts on tiny plans, table-driven: each case names the guard (with its
// params), the events before it and the event it is judged on, and what must happen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanInput } from '../../machines/plan-context.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import { planStart, planStep, stateKey, type StepResult } from '../../machines/plan-step.ts';
import { inWindow } from '../../machines/registry.ts';
import { validatePlan } from '../../machines/plan-validate.ts';
import { GENESIS } from '../../src/runtime/protocol-hash.ts';
import { buildStep } from '../../src/runtime/step-builder.ts';

type Ev = { type: string; [k: string]: unknown };

const RAISED = Date.UTC(2026, 10, 25, 12, 0, 0); // Wednesday 25 Nov 2026, 12:00 UTC

function inputOf(alarm: Partial<PlanInput['alarm']> = {}): PlanInput {
  return {
    alarm: {
      id: 'a1',
      type: 'test',
      priority: 3,
      text: 'Fire in cabin 7',
      location: undefined,
      source: { adapter: 'espa', device: 'pager-1' },
      environment: 'ward-1',
      raisedAt: RAISED,
      ...alarm,
    },
    groups: { A: ['alice', 'bob', 'carol'], B: ['dave'] },
    params: {},
  };
}

/** Runs `def` from the start through `events`; returns every step. */
function run(def: PlanDefinition, events: readonly Ev[], input = inputOf()): StepResult[] {
  const machine = createPlanMachine(def);
  const steps = [planStart(machine, input)];
  for (const e of events) steps.push(planStep(machine, steps[steps.length - 1]!.snapshot, e));
  return steps;
}

const accept = (by: string, at = 1): Ev => ({ type: 'RESPONSE', response: 'accept', by, at });
const reject = (by: string, at = 1): Ev => ({ type: 'RESPONSE', response: 'reject', by, at });

/** Group A is notified; on `on` the guard decides whether the plan goes to `done`. */
function guardedPlan(guard: unknown, on = 'RESPONSE', actions: unknown[] = ['recordResponse']): PlanDefinition {
  return {
    id: 'g',
    initial: 'waiting',
    states: {
      waiting: {
        entry: [{ type: 'notify', params: { group: 'A' } }],
        on: { [on]: [{ guard, target: 'done', actions }, { actions }] },
      },
      done: { type: 'final' },
    },
  };
}

/** Decides at the start: `always` to `yes` when the guard holds, else `no`. */
function startPlan(guard: unknown): PlanDefinition {
  return {
    id: 's',
    initial: 'check',
    states: {
      check: { always: [{ guard, target: 'yes' }, { target: 'no' }] },
      yes: { type: 'final' },
      no: { type: 'final' },
    },
  };
}

describe('registry guards on responses and deliveries', () => {
  const cases: { name: string; guard: unknown; events: Ev[]; on?: string; ends: boolean }[] = [
    // The accept being judged counts: the second accept reaches n = 2.
    {
      name: 'acceptedCountAtLeast 2 after two accepts',
      guard: { type: 'acceptedCountAtLeast', params: { n: 2 } },
      events: [accept('alice'), accept('bob')],
      ends: true,
    },
    // One accept is not two.
    {
      name: 'acceptedCountAtLeast 2 after one accept',
      guard: { type: 'acceptedCountAtLeast', params: { n: 2 } },
      events: [accept('alice')],
      ends: false,
    },
    // The same user accepting twice counts once (the second finds no open notification).
    {
      name: 'acceptedCountAtLeast 2 with a repeated accept',
      guard: { type: 'acceptedCountAtLeast', params: { n: 2 } },
      events: [accept('alice'), accept('alice')],
      ends: false,
    },
    // A stranger's accept is not one of the current level.
    {
      name: 'acceptedCountAtLeast 1 by a stranger',
      guard: { type: 'acceptedCountAtLeast', params: { n: 1 } },
      events: [accept('mallory')],
      ends: false,
    },
    // Rejects do not count as accepts.
    {
      name: 'acceptedCountAtLeast 1 after a reject',
      guard: { type: 'acceptedCountAtLeast', params: { n: 1 } },
      events: [reject('alice')],
      ends: false,
    },
    // The first reject of the level is enough.
    { name: 'anyRejected on a reject', guard: 'anyRejected', events: [reject('bob')], ends: true },
    // An accept is not a reject.
    { name: 'anyRejected on an accept', guard: 'anyRejected', events: [accept('bob')], ends: false },
    // An earlier recorded reject still counts when judging a later event.
    {
      name: 'anyRejected remembers an earlier reject',
      guard: 'anyRejected',
      on: 'RESPONSE',
      events: [reject('mallory'), accept('alice')],
      ends: false,
    },
    // A failed delivery is seen on the DELIVERY event.
    {
      name: 'deliveryFailed on failed',
      guard: 'deliveryFailed',
      on: 'DELIVERY',
      events: [{ type: 'DELIVERY', notificationId: 'A.0.alice', status: 'failed', retryable: false, at: 1 }],
      ends: true,
    },
    // Any other delivery status is not a failure.
    {
      name: 'deliveryFailed on delivered',
      guard: 'deliveryFailed',
      on: 'DELIVERY',
      events: [{ type: 'DELIVERY', notificationId: 'A.0.alice', status: 'delivered', at: 1 }],
      ends: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const on = c.on ?? 'RESPONSE';
      const steps = run(
        guardedPlan(c.guard, on, on === 'DELIVERY' ? ['recordDelivery'] : ['recordResponse']),
        c.events,
      );
      assert.equal(steps[steps.length - 1]!.snapshot.status === 'done', c.ends);
    });
  }

  it('deliveryFailed holds only for a pending notification of this alarm', () => {
    const failed = (id: string): Ev => ({ type: 'DELIVERY', notificationId: id, status: 'failed', at: 2 });
    const def: PlanDefinition = {
      id: 'd',
      initial: 'waiting',
      states: {
        waiting: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          on: {
            RESPONSE: { actions: 'recordResponse' },
            DELIVERY: [{ guard: 'deliveryFailed', target: 'done', actions: 'recordDelivery' }],
          },
        },
        done: { type: 'final' },
      },
    };
    const cases: { name: string; events: Ev[]; ends: boolean }[] = [
      // A pending notification of the current level.
      { name: 'pending', events: [failed('A.0.alice')], ends: true },
      // An id the alarm never made (another alarm's, or made up).
      { name: 'unknown id', events: [failed('nope')], ends: false },
      // Alice answered already: her notification is no longer pending.
      { name: 'answered', events: [accept('alice'), failed('A.0.alice')], ends: false },
      // No notification id at all.
      { name: 'no id', events: [{ type: 'DELIVERY', status: 'failed', at: 2 }], ends: false },
    ];
    for (const c of cases) {
      const steps = run(def, c.events);
      assert.equal(steps[steps.length - 1]!.snapshot.status === 'done', c.ends, c.name);
    }
    // Already failed: the first failure of bob is recorded, a second one of bob does not hold.
    const again: PlanDefinition = {
      id: 'd2',
      initial: 'waiting',
      states: {
        waiting: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          on: { DELIVERY: { guard: 'deliveryFailed', target: 'second', actions: 'recordDelivery' } },
        },
        second: { on: { DELIVERY: { guard: 'deliveryFailed', target: 'done' } } },
        done: { type: 'final' },
      },
    };
    assert.equal(stateKey(run(again, [failed('A.0.bob'), failed('A.0.bob')])[2]!.snapshot), 'second');
    assert.equal(run(again, [failed('A.0.bob'), failed('A.0.carol')])[2]!.snapshot.status, 'done');
  });

  it('anyRejected holds later for a reject recorded earlier in the level', () => {
    // First event: bob rejects (not judged: the plan only ends on ACK); then ACK is judged.
    const def: PlanDefinition = {
      id: 'r',
      initial: 'waiting',
      states: {
        waiting: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          on: { RESPONSE: { actions: 'recordResponse' }, ACK: { guard: 'anyRejected', target: 'done' } },
        },
        done: { type: 'final' },
      },
    };
    const steps = run(def, [reject('bob'), { type: 'ACK' }]);
    assert.equal(steps[2]!.snapshot.status, 'done');
    assert.deepEqual(steps[2]!.guards, [{ guard: 'anyRejected', result: true }]);
  });
});

describe('registry guards on alarm facts and time', () => {
  const cases: { name: string; guard: unknown; alarm?: Partial<PlanInput['alarm']>; yes: boolean }[] = [
    // Priority 3 is at least as urgent as 3 …
    { name: 'priorityAtLeast equal', guard: { type: 'priorityAtLeast', params: { priority: 3 } }, yes: true },
    // … and as 5 (less urgent) …
    {
      name: 'priorityAtLeast less urgent bound',
      guard: { type: 'priorityAtLeast', params: { priority: 5 } },
      yes: true,
    },
    // … but not as 2 (more urgent).
    {
      name: 'priorityAtLeast more urgent bound',
      guard: { type: 'priorityAtLeast', params: { priority: 2 } },
      yes: false,
    },
    // Environment by exact id.
    { name: 'environmentIs match', guard: { type: 'environmentIs', params: { environment: 'ward-1' } }, yes: true },
    { name: 'environmentIs other', guard: { type: 'environmentIs', params: { environment: 'ward-2' } }, yes: false },
    // Source adapter alone, adapter and device, and a wrong device.
    { name: 'sourceIs adapter', guard: { type: 'sourceIs', params: { adapter: 'espa' } }, yes: true },
    { name: 'sourceIs device', guard: { type: 'sourceIs', params: { adapter: 'espa', device: 'pager-1' } }, yes: true },
    {
      name: 'sourceIs wrong device',
      guard: { type: 'sourceIs', params: { adapter: 'espa', device: 'x' } },
      yes: false,
    },
    { name: 'sourceIs wrong adapter', guard: { type: 'sourceIs', params: { adapter: 'sip' } }, yes: false },
    // Raised at 12:00 UTC = 13:00 in Berlin (CET): inside 08:00–17:00 there.
    {
      name: 'inTimeWindow day shift in Berlin',
      guard: { type: 'inTimeWindow', params: { from: '08:00', to: '17:00', timeZone: 'Europe/Berlin' } },
      yes: true,
    },
    // 13:00 is outside 13:30–17:00 (and `to` is exclusive: 13:00 is outside 08:00–13:00).
    {
      name: 'inTimeWindow to is exclusive',
      guard: { type: 'inTimeWindow', params: { from: '08:00', to: '13:00', timeZone: 'Europe/Berlin' } },
      yes: false,
    },
    // 12:00 UTC is 07:00 in New York: inside a night window 22:00–08:00 crossing midnight.
    {
      name: 'inTimeWindow across midnight',
      guard: { type: 'inTimeWindow', params: { from: '22:00', to: '08:00', timeZone: 'America/New_York' } },
      yes: true,
    },
    // Wednesday in Berlin: a weekend-only window does not hold.
    {
      name: 'inTimeWindow wrong day',
      guard: {
        type: 'inTimeWindow',
        params: { from: '00:00', to: '00:00', timeZone: 'Europe/Berlin', days: ['sat', 'sun'] },
      },
      yes: false,
    },
    // The night window started on Tuesday evening still holds on Wednesday 07:00 in New York.
    {
      name: 'inTimeWindow night started the day before',
      guard: {
        type: 'inTimeWindow',
        params: { from: '22:00', to: '08:00', timeZone: 'America/New_York', days: ['tue'] },
      },
      yes: true,
    },
    // … but not if it only starts on Wednesdays.
    {
      name: 'inTimeWindow night starting today not yet',
      guard: {
        type: 'inTimeWindow',
        params: { from: '22:00', to: '08:00', timeZone: 'America/New_York', days: ['wed'] },
      },
      yes: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [start] = run(startPlan(c.guard), [], inputOf(c.alarm));
      assert.equal(stateKey(start!.snapshot), c.yes ? 'yes' : 'no');
      assert.equal(start!.guards[0]!.result, c.yes);
    });
  }

  it("inTimeWindow judges a later event at the event's `at`", () => {
    // Raised at 13:00 Berlin (outside 18:00–20:00); the PING comes at 19:00 Berlin (inside).
    const def: PlanDefinition = {
      id: 't',
      initial: 'idle',
      states: {
        idle: {
          on: {
            PING: {
              guard: { type: 'inTimeWindow', params: { from: '18:00', to: '20:00', timeZone: 'Europe/Berlin' } },
              target: 'done',
            },
          },
        },
        done: { type: 'final' },
      },
    };
    assert.equal(run(def, [{ type: 'PING', at: RAISED + 3_600_000 }])[1]!.snapshot.status, 'active');
    assert.equal(run(def, [{ type: 'PING', at: RAISED + 6 * 3_600_000 }])[1]!.snapshot.status, 'done');
  });

  it('inWindow follows daylight saving time', () => {
    // 1 July 2026 06:30 UTC is 08:30 in Berlin (CEST, UTC+2): inside 08:00–09:00; in winter it would be 07:30.
    const p = { from: '08:00', to: '09:00', timeZone: 'Europe/Berlin' };
    assert.equal(inWindow(Date.UTC(2026, 6, 1, 6, 30), p), true);
    assert.equal(inWindow(Date.UTC(2026, 0, 1, 6, 30), p), false);
  });
});

describe('registry actions', () => {
  it('notifyUser notifies one user and makes that the current level', () => {
    // A forward: group A first, then dave alone; his accept counts for the current level.
    const def: PlanDefinition = {
      id: 'f',
      initial: 'a',
      states: {
        a: { entry: { type: 'notify', params: { group: 'A' } }, on: { FORWARD: 'fwd' } },
        fwd: {
          entry: { type: 'notifyUser', params: { user: 'dave' } },
          on: { RESPONSE: { guard: { type: 'acceptedCountAtLeast', params: { n: 1 } }, target: 'done' } },
        },
        done: { type: 'final' },
      },
    };
    const steps = run(def, [{ type: 'FORWARD' }, accept('alice'), accept('dave')]);
    const notify = steps[1]!.actions.find((a) => a.type === 'tocsin.notify');
    assert.deepEqual(notify?.params, {
      group: '@dave',
      round: 0,
      text: 'Fire in cabin 7',
      notifications: [{ id: '@dave.0.dave', user: 'dave' }],
    });
    assert.deepEqual(steps[1]!.snapshot.context.current, ['@dave.0.dave']);
    assert.equal(steps[2]!.snapshot.status, 'active'); // alice is no longer the current level
    assert.equal(steps[3]!.snapshot.status, 'done');
  });

  it('setOutput returns a tocsin.setOutput effect, recorded in the protocol without an outbox row', () => {
    const def: PlanDefinition = {
      id: 'o',
      initial: 'on',
      states: { on: { entry: { type: 'setOutput', params: { output: 'relay-1', value: true } } } },
    };
    const [start] = run(def, []);
    assert.deepEqual(start!.actions, [{ type: 'tocsin.setOutput', params: { output: 'relay-1', value: true } }]);
    const input = inputOf();
    const commit = buildStep(
      {
        alarmId: 'a1',
        facts: input.alarm,
        seq: 1,
        prevHash: GENESIS,
        prevState: null,
        prevNotifications: [],
        now: 0,
        kind: 'raised',
        event: { type: 'RAISE' },
        actor: { kind: 'system', id: 'test' },
        channel: 'loopback',
        trigger: 'raised',
      },
      start!,
    );
    assert.equal(commit.outbox.length, 0);
    assert.deepEqual(commit.entry.effects, [{ type: 'setOutput', output: 'relay-1', value: true }]);
    assert.match(commit.entry.note, /output relay-1 set to true \(no output adapter yet\)/);
  });

  it('raiseEvent raises an internal event handled within the same step', () => {
    const def: PlanDefinition = {
      id: 'e',
      initial: 'a',
      states: {
        a: { on: { GO: { actions: { type: 'raiseEvent', params: { event: 'NEXT' } } }, NEXT: 'b' } },
        b: { type: 'final' },
      },
    };
    const steps = run(def, [{ type: 'GO' }]);
    assert.equal(steps[1]!.snapshot.status, 'done');
  });

  it('recordDelivery marks the named open notification failed, and nothing else', () => {
    const fail = (id: string): Ev => ({
      type: 'DELIVERY',
      notificationId: id,
      status: 'failed',
      retryable: false,
      at: 2,
    });
    const def = guardedPlan('accepted', 'DELIVERY', ['recordDelivery']);
    // Bob accepted first (via RESPONSE, recorded), then deliveries fail for alice, bob and an unknown id.
    def.states.waiting = {
      entry: [{ type: 'notify', params: { group: 'A' } }],
      on: { RESPONSE: { actions: 'recordResponse' }, DELIVERY: { actions: 'recordDelivery' } },
    };
    const steps = run(def, [accept('bob'), fail('A.0.alice'), fail('A.0.bob'), fail('nope')]);
    const statuses = (s: StepResult) =>
      (s.snapshot.context.notifications as { id: string; status: string }[]).map((n) => [n.id, n.status]);
    assert.deepEqual(statuses(steps[4]!), [
      ['A.0.alice', 'failed'],
      ['A.0.bob', 'accepted'],
      ['A.0.carol', 'pending'],
    ]);
    // A delivered status changes nothing.
    const delivered = run(def, [{ type: 'DELIVERY', notificationId: 'A.0.alice', status: 'delivered', at: 1 }]);
    assert.deepEqual(statuses(delivered[1]!)[0], ['A.0.alice', 'pending']);
  });
});

describe('registry params in the validator', () => {
  const plan = (guard: unknown, action: unknown = 'log') => ({
    id: 'v',
    initial: 'a',
    states: { a: { on: { GO: { guard, target: 'b', actions: action } } }, b: { type: 'final' } },
  });
  const cases: { name: string; plan: unknown; reasons: RegExp[] }[] = [
    // Good params for every new name pass.
    {
      name: 'all good',
      plan: {
        id: 'v',
        initial: 'a',
        states: {
          a: {
            entry: [
              { type: 'notifyUser', params: { user: 'dave' } },
              { type: 'setOutput', params: { output: 'coil-3', value: 1 } },
              { type: 'raiseEvent', params: { event: 'GO' } },
              'recordDelivery',
            ],
            on: {
              GO: [
                { guard: { type: 'acceptedCountAtLeast', params: { n: 2 } }, target: 'b' },
                { guard: 'anyRejected', target: 'b' },
                { guard: 'deliveryFailed', target: 'b' },
                { guard: { type: 'priorityAtLeast', params: { priority: 2 } }, target: 'b' },
                { guard: { type: 'environmentIs', params: { environment: 'ward-1' } }, target: 'b' },
                { guard: { type: 'sourceIs', params: { adapter: 'espa', device: 'd' } }, target: 'b' },
                {
                  guard: {
                    type: 'inTimeWindow',
                    params: { from: '22:00', to: '06:00', timeZone: 'Europe/Berlin', days: ['fri', 'sat'] },
                  },
                  target: 'b',
                },
              ],
            },
          },
          b: { type: 'final' },
        },
      },
      reasons: [],
    },
    // n must be an integer ≥ 1.
    { name: 'n = 0', plan: plan({ type: 'acceptedCountAtLeast', params: { n: 0 } }), reasons: [/at least 1/] },
    // acceptedCountAtLeast without params.
    { name: 'n missing', plan: plan('acceptedCountAtLeast'), reasons: [/needs params: missing required 'n'/] },
    // priority is 0..9.
    { name: 'priority 10', plan: plan({ type: 'priorityAtLeast', params: { priority: 10 } }), reasons: [/at most 9/] },
    // HH:MM only, and a real time zone.
    {
      name: 'bad window',
      plan: plan({ type: 'inTimeWindow', params: { from: '24:00', to: '7:00', timeZone: 'Mars/Olympus' } }),
      reasons: [/must match/, /must match/, /unknown IANA time zone 'Mars\/Olympus'/],
    },
    // Days from the list, without repeats.
    {
      name: 'bad days',
      plan: plan({
        type: 'inTimeWindow',
        params: { from: '08:00', to: '09:00', timeZone: 'UTC', days: ['mon', 'mon', 'funday'] },
      }),
      reasons: [/must not repeat/, /must be one of/],
    },
    // setOutput takes a boolean or a number.
    {
      name: 'setOutput string value',
      plan: plan('accepted', { type: 'setOutput', params: { output: 'x', value: 'on' } }),
      reasons: [/must be boolean or number, not string/],
    },
    // raiseEvent may not raise XState's own events.
    {
      name: 'raiseEvent xstate.',
      plan: plan('accepted', { type: 'raiseEvent', params: { event: 'xstate.after.1.v.a' } }),
      reasons: [/must match/],
    },
    // Every new name with good params passes.
    {
      name: 'presence, recipients, profile, text and forward',
      plan: plan({ type: 'nobodyPresent', params: { group: 'A' } }, [
        'recordPresence',
        { type: 'notify', params: { device: 'p1', profile: 'loud', text: '{alarm.text} in {alarm.location}' } },
        { type: 'notify', params: { contact: 'c1' } },
        { type: 'forward', params: { alarmType: 'fire', text: 'Forwarded: {alarm.id}' } },
      ]),
      reasons: [],
    },
    // notify needs exactly one recipient key: none …
    {
      name: 'notify without a recipient',
      plan: plan('accepted', { type: 'notify', params: { profile: 'loud' } }),
      reasons: [/missing required 'group', 'user', 'device' or 'contact' \(exactly one\)/],
    },
    // … and not two.
    {
      name: 'notify with two recipients',
      plan: plan('accepted', { type: 'notify', params: { group: 'A', user: 'dave' } }),
      reasons: [/exactly one of 'group', 'user', 'device' or 'contact', not 'group' and 'user'/],
    },
    // An unknown placeholder is an error, in notify and in forward.
    {
      name: 'unknown placeholders',
      plan: plan('accepted', [
        { type: 'notify', params: { user: 'dave', text: '{alarm.txt} {alarm.text} {foo}' } },
        { type: 'forward', params: { alarmType: 'x', text: '{alarm.source}' } },
      ]),
      reasons: [/unknown placeholders \{alarm\.txt\}, \{foo\} \(known: /, /unknown placeholder \{alarm\.source\} /],
    },
    // forward needs an alarm type; nobodyPresent a group.
    {
      name: 'forward and nobodyPresent without params',
      plan: plan('nobodyPresent', 'forward'),
      reasons: [
        /guard 'nobodyPresent' needs params: missing required 'group'/,
        /action 'forward' needs params: missing required 'alarmType'/,
      ],
    },
    // recordPresence takes no params.
    {
      name: 'recordPresence with params',
      plan: plan('accepted', { type: 'recordPresence', params: { group: 'A' } }),
      reasons: [/unknown parameter 'group'/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = validatePlan(c.plan);
      const problems = result.ok ? [] : result.problems;
      assert.equal(problems.length, c.reasons.length, JSON.stringify(problems));
      c.reasons.forEach((r, i) => assert.match(problems[i]!.reason, r, JSON.stringify(problems)));
    });
  }
});

describe('presence: nobodyPresent and recordPresence', () => {
  const presence = (group: string, user: string, present: boolean, at = 1): Ev => ({
    type: 'PRESENCE',
    group,
    user,
    present,
    at,
  });
  /** Ends in `nobody` when nobodyPresent(group) holds on a PRESENCE, recording every PRESENCE. */
  const presencePlan = (group: string): PlanDefinition => ({
    id: 'p',
    initial: 'waiting',
    states: {
      waiting: {
        on: {
          PRESENCE: [
            { guard: { type: 'nobodyPresent', params: { group } }, target: 'nobody', actions: 'recordPresence' },
            { actions: 'recordPresence' },
          ],
        },
      },
      nobody: { type: 'final' },
    },
  });
  const tracked = (p: Record<string, readonly string[]>): PlanInput => ({ ...inputOf(), presence: p });

  const cases: { name: string; group: string; input: PlanInput; events: Ev[]; ends: boolean }[] = [
    // The last one present leaves: the guard sees the event as applied already.
    {
      name: 'the last present recipient leaves',
      group: 'A',
      input: tracked({ A: ['alice'] }),
      events: [presence('A', 'alice', false)],
      ends: true,
    },
    // One of two leaves: somebody is still present.
    {
      name: 'one of two leaves',
      group: 'A',
      input: tracked({ A: ['alice', 'bob'] }),
      events: [presence('A', 'alice', false)],
      ends: false,
    },
    // Two leave one after the other: the second leaving ends it (the first was recorded).
    {
      name: 'both leave in turn',
      group: 'A',
      input: tracked({ A: ['alice', 'bob'] }),
      events: [presence('A', 'alice', false), presence('A', 'bob', false)],
      ends: true,
    },
    // Nobody was present and somebody arrives: not "nobody present".
    {
      name: 'an arrival when nobody was present',
      group: 'A',
      input: tracked({ A: [] }),
      events: [presence('A', 'alice', true)],
      ends: false,
    },
    // A PRESENCE of another group does not count for A, where nobody is present.
    {
      name: 'a PRESENCE for another tracked group',
      group: 'A',
      input: tracked({ A: [], B: [] }),
      events: [presence('B', 'dave', true)],
      ends: true,
    },
    // Not tracked, with members: counts as present, whatever PRESENCE events say.
    {
      name: 'an untracked group with members',
      group: 'A',
      input: tracked({ B: [] }),
      events: [presence('A', 'alice', false)],
      ends: false,
    },
    // Not tracked and no members (unknown group, also without any presence input): nobody.
    {
      name: 'an untracked unknown group',
      group: 'ghost',
      input: inputOf(),
      events: [presence('ghost', 'x', true)],
      ends: true,
    },
    // A prototype name is not a group.
    {
      name: 'a prototype key as group name',
      group: 'constructor',
      input: tracked({ A: ['alice'] }),
      events: [presence('A', 'alice', true)],
      ends: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const steps = run(presencePlan(c.group), c.events, c.input);
      assert.equal(steps[steps.length - 1]!.snapshot.status === 'done', c.ends);
      assert.equal(steps[steps.length - 1]!.guards[0]?.guard, 'nobodyPresent');
    });
  }

  it('recordPresence keeps the present recipients sorted and ignores untracked groups and bad events', () => {
    const def: PlanDefinition = {
      id: 'r',
      initial: 'a',
      states: { a: { on: { PRESENCE: { actions: 'recordPresence' } } } },
    };
    const steps = run(
      def,
      [
        presence('A', 'carol', true),
        presence('A', 'alice', true),
        presence('A', 'alice', true), // already present: no change
        presence('A', 'bob', false),
        presence('A', 'carol', false),
        presence('B', 'dave', true), // B is not tracked
        { type: 'PRESENCE', group: 'A', user: 'x' }, // no `present`: ignored
        { type: 'PRESENCE', at: 1 }, // the bare event of older plans: ignored
      ],
      tracked({ A: ['bob'] }),
    );
    const seen = steps.map((s) => s.snapshot.context.presence);
    assert.deepEqual(seen, [
      { A: ['bob'] },
      { A: ['bob', 'carol'] },
      { A: ['alice', 'bob', 'carol'] },
      { A: ['alice', 'bob', 'carol'] },
      { A: ['alice', 'carol'] },
      { A: ['alice'] },
      { A: ['alice'] },
      { A: ['alice'] },
      { A: ['alice'] },
    ]);
    // Without presence input nothing is tracked and the context gets no presence.
    const none = run(def, [presence('A', 'alice', true)]);
    assert.equal(none[1]!.snapshot.context.presence, undefined);
  });
});

describe('notify recipients, profile and text; forward', () => {
  const once = (entry: unknown, alarm: Partial<PlanInput['alarm']> = {}) => {
    const def: PlanDefinition = {
      id: 'n',
      initial: 'a',
      states: { a: { entry: entry as never, on: { CANCEL: 'done' } }, done: { type: 'final' } },
    };
    return run(def, [], inputOf(alarm))[0]!;
  };

  it('a group notify keeps its ids <group>.<round>.<user> and carries the profile', () => {
    const r = once({ type: 'notify', params: { group: 'B', profile: 'loud' } });
    assert.deepEqual(r.actions, [
      {
        type: 'tocsin.notify',
        params: {
          group: 'B',
          round: 0,
          text: 'Fire in cabin 7',
          profile: 'loud',
          notifications: [{ id: 'B.0.dave', user: 'dave' }],
        },
      },
    ]);
  });

  const single: { name: string; params: object; group: string; address: string }[] = [
    // A user: as notifyUser always did.
    { name: 'user', params: { user: 'dave' }, group: '@dave', address: 'dave' },
    // A device is addressed device:<id>.
    { name: 'device', params: { device: 'pager-7' }, group: '@device:pager-7', address: 'device:pager-7' },
    // A contact is addressed contact:<id>.
    { name: 'contact', params: { contact: 'ext-1' }, group: '@contact:ext-1', address: 'contact:ext-1' },
  ];
  for (const c of single) {
    it(`a single ${c.name}: group @<address>, id @<address>.<round>.<address>, the current level`, () => {
      const r = once({ type: 'notify', params: c.params });
      const id = `${c.group}.0.${c.address}`;
      assert.deepEqual(r.actions[0], {
        type: 'tocsin.notify',
        params: { group: c.group, round: 0, text: 'Fire in cabin 7', notifications: [{ id, user: c.address }] },
      });
      assert.deepEqual(r.snapshot.context.current, [id]);
    });
  }

  it('notifyUser is notify with {user}: the same effect and context', () => {
    const a = once({ type: 'notifyUser', params: { user: 'dave' } });
    const b = once({ type: 'notify', params: { user: 'dave' } });
    assert.deepEqual(a.actions, b.actions);
    assert.deepEqual(a.snapshot.context, b.snapshot.context);
  });

  it('a device responds by its address: its accept counts for the current level', () => {
    const def: PlanDefinition = {
      id: 'd',
      initial: 'a',
      states: {
        a: {
          entry: { type: 'notify', params: { device: 'pager-7' } },
          on: { RESPONSE: { guard: { type: 'acceptedCountAtLeast', params: { n: 1 } }, target: 'done' } },
        },
        done: { type: 'final' },
      },
    };
    assert.equal(run(def, [accept('pager-7')])[1]!.snapshot.status, 'active');
    assert.equal(run(def, [accept('device:pager-7')])[1]!.snapshot.status, 'done');
  });

  it('text templates fill {alarm.<field>}; a missing fact becomes empty, other braces stay', () => {
    const text =
      '{alarm.type}/{alarm.priority}: {alarm.text} at {alarm.location} ({alarm.source.adapter}:{alarm.source.device}) {x y}';
    const r = once({ type: 'notify', params: { user: 'dave', text } }, { location: 'Room 12' });
    assert.equal(
      (r.actions[0]!.params as { text: string }).text,
      'test/3: Fire in cabin 7 at Room 12 (espa:pager-1) {x y}',
    );
    const noLocation = once({ type: 'notify', params: { group: 'A', text: '[{alarm.location}] {alarm.id}' } });
    assert.equal((noLocation.actions[0]!.params as { text: string }).text, '[] a1');
  });

  it('forward returns tocsin.forward with the rendered text (default: the alarm text) and notifies nobody', () => {
    const r = once([
      { type: 'forward', params: { alarmType: 'fire-brigade', text: 'From {alarm.environment}: {alarm.text}' } },
      { type: 'forward', params: { alarmType: 'log-only' } },
    ]);
    assert.deepEqual(r.actions, [
      { type: 'tocsin.forward', params: { alarmType: 'fire-brigade', text: 'From ward-1: Fire in cabin 7' } },
      { type: 'tocsin.forward', params: { alarmType: 'log-only', text: 'Fire in cabin 7' } },
    ]);
    assert.deepEqual(r.snapshot.context.notifications, []);
  });
});
