// The built-in plan templates (machines/plans/templates/): each validates with no warnings
// against the built-in config groups A and B, has the analysed figures below under
// A=[operator-1,operator-2], B=[supervisor-1], levelTimeoutMs 60 s, rounds 3, and ends the
// simulated scenarios in exact states with exact notification counts. PRESENCE and LINK_UP are
// not scenario steps of simulatePlan, so those runs fold planStep by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput } from '../../machines/plan-context.ts';
import { analysePlan } from '../../machines/plan-analyse.ts';
import { createPlanMachine } from '../../machines/plan-machine.ts';
import { simulatePlan, type Scenario, type Timeline } from '../../machines/plan-simulate.ts';
import { planStart, planStep, stateKey, type PlanAction, type StepResult } from '../../machines/plan-step.ts';
import { validatePlan } from '../../machines/plan-validate.ts';

const input: PlanInput = {
  alarm: {
    id: 'a1',
    type: 'test',
    priority: 1,
    text: 'Test alarm',
    location: undefined,
    source: { adapter: 'test' },
    environment: 'default',
    raisedAt: 0,
  },
  groups: { A: ['operator-1', 'operator-2'], B: ['supervisor-1'] },
  params: { levelTimeoutMs: 60_000, rounds: 3 },
};

const plan = (id: string) => {
  const p = builtinPlans.find((x) => x.ref.id === id);
  assert.ok(p, `built-in plan ${id}`);
  return p;
};
const machineOf = (id: string) => createPlanMachine(plan(id).definition);

/** [at, group, recipients] of every notify in the timeline. */
const notifies = (tl: Timeline) =>
  tl.entries.flatMap((e) =>
    e.effects.flatMap((x) => (x.type === 'notify' ? [[e.at, x.group, x.recipients] as const] : [])),
  );
const withdrawn = (tl: Timeline) =>
  tl.entries.flatMap((e) => e.effects.flatMap((x) => (x.type === 'withdraw' ? x.recipients : [])));

const OP1 = 'operator-1';
const OP2 = 'operator-2';
const SUP = 'supervisor-1';
const OPS = [OP1, OP2];

const figures: Record<string, { first: number; last: number; max: number; finals: string[] }> = {
  'tpl-all-must-accept': { first: 0, last: 120_000, max: 3, finals: ['accepted', 'cancelled'] },
  'tpl-n-of-m': { first: 0, last: 120_000, max: 3, finals: ['accepted', 'cancelled'] },
  'tpl-reject-escalates': { first: 0, last: 120_000, max: 3, finals: ['accepted', 'cancelled'] },
  'tpl-repeat-backoff': { first: 0, last: 270_000, max: 7, finals: ['accepted', 'cancelled'] },
  'tpl-presence-cancels': {
    first: 0,
    last: 120_000,
    max: 3,
    finals: ['accepted', 'cancelled', 'resolvedByPresence'],
  },
  'tpl-supervision': { first: 0, last: 120_000, max: 3, finals: ['cancelled', 'cleared'] },
};

describe('built-in templates: validation and analysis', () => {
  it('every template is a built-in plan, version 1, id tpl-<name>', () => {
    for (const id of Object.keys(figures)) {
      assert.deepEqual(plan(id).ref, { id, version: 1 });
      assert.equal((plan(id).definition as { id?: string }).id, id);
    }
  });

  for (const [id, f] of Object.entries(figures)) {
    it(`${id}: validatePlan ok with groups A and B, no warnings`, () => {
      const v = validatePlan(plan(id).definition, { groups: ['A', 'B'] });
      assert.ok(v.ok, JSON.stringify(v));
      assert.deepEqual(v.warnings, []);
      // Only groups A and B are notified.
      assert.equal(validatePlan(plan(id).definition, { groups: ['A'] }).ok, false);
    });

    it(`${id}: analysed figures`, () => {
      const a = analysePlan(machineOf(id), input);
      assert.equal(a.truncated, false);
      assert.deepEqual(a.errors, []);
      assert.deepEqual(a.loopsWithoutDelay, []);
      assert.deepEqual(a.unreachableStates, []);
      assert.deepEqual(a.finalStates, f.finals);
      assert.equal(a.worstCaseFirstNotificationMs, f.first);
      assert.equal(a.worstCaseLastEscalationMs, f.last);
      assert.equal(a.maxNotificationsPerAlarm, f.max);
    });
  }
});

type Case = {
  name: string;
  scenario: Scenario;
  end: [at: number, state: string, status: string];
  notifications: number;
  notifies: (readonly [number, string, readonly string[]])[];
  withdrawn?: string[];
};

const cases: Record<string, Case[]> = {
  'tpl-all-must-accept': [
    {
      name: 'both of A accept: accepted only on the second accept',
      scenario: {
        steps: [
          { at: 5_000, event: 'accept', by: OP1 },
          { at: 10_000, event: 'accept', by: OP2 },
        ],
      },
      end: [10_000, 'accepted', 'done'],
      notifications: 2,
      notifies: [[0, 'A', OPS]],
      withdrawn: [],
    },
    {
      name: 'one accept is not enough: timeout notifies B, the supervisor accepts',
      scenario: {
        steps: [
          { at: 5_000, event: 'accept', by: OP1 },
          { at: 70_000, event: 'accept', by: SUP },
        ],
      },
      end: [70_000, 'accepted', 'done'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [60_000, 'B', [SUP]],
      ],
      withdrawn: [OP2],
    },
    {
      name: 'one reject escalates to B at once; B silent: unanswered',
      scenario: { steps: [{ at: 1_000, event: 'reject', by: OP2 }] },
      end: [61_000, 'unanswered', 'active'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [1_000, 'B', [SUP]],
      ],
    },
  ],
  'tpl-n-of-m': [
    {
      name: 'two accepts: accepted',
      scenario: {
        steps: [
          { at: 1_000, event: 'accept', by: OP2 },
          { at: 2_000, event: 'accept', by: OP1 },
        ],
      },
      end: [2_000, 'accepted', 'done'],
      notifications: 2,
      notifies: [[0, 'A', OPS]],
    },
    {
      name: 'one reject does not escalate; the timeout does',
      scenario: { steps: [{ at: 1_000, event: 'reject', by: OP1 }] },
      end: [120_000, 'unanswered', 'active'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [60_000, 'B', [SUP]],
      ],
    },
    {
      name: 'every recipient of A rejects: B at once, cancel withdraws B',
      scenario: {
        steps: [
          { at: 1_000, event: 'reject', by: OP1 },
          { at: 2_000, event: 'reject', by: OP2 },
          { at: 3_000, event: 'cancel', by: 'admin' },
        ],
      },
      end: [3_000, 'cancelled', 'done'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [2_000, 'B', [SUP]],
      ],
      withdrawn: [SUP],
    },
  ],
  'tpl-reject-escalates': [
    {
      name: 'a reject escalates to B at once; B accepts',
      scenario: {
        steps: [
          { at: 2_000, event: 'reject', by: OP1 },
          { at: 4_000, event: 'accept', by: SUP },
        ],
      },
      end: [4_000, 'accepted', 'done'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [2_000, 'B', [SUP]],
      ],
      withdrawn: [OP2],
    },
    {
      name: 'first accept ends',
      scenario: { steps: [{ at: 3_000, event: 'accept', by: OP2 }] },
      end: [3_000, 'accepted', 'done'],
      notifications: 2,
      notifies: [[0, 'A', OPS]],
      withdrawn: [OP1],
    },
    {
      name: 'nobody answers: B after the timeout, then unanswered',
      scenario: { steps: [] },
      end: [120_000, 'unanswered', 'active'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [60_000, 'B', [SUP]],
      ],
    },
  ],
  'tpl-repeat-backoff': [
    {
      name: 'nobody answers: A at 0, 30 s, 90 s; B at 210 s; unanswered at 270 s',
      scenario: { steps: [] },
      end: [270_000, 'unanswered', 'active'],
      notifications: 7,
      notifies: [
        [0, 'A', OPS],
        [30_000, 'A', OPS],
        [90_000, 'A', OPS],
        [210_000, 'B', [SUP]],
      ],
    },
    {
      name: 'an accept after the second notification ends it and withdraws every open one',
      scenario: {
        steps: [
          { at: 10_000, event: 'reject', by: OP2 },
          { at: 40_000, event: 'accept', by: OP1 },
        ],
      },
      end: [40_000, 'accepted', 'done'],
      notifications: 4,
      notifies: [
        [0, 'A', OPS],
        [30_000, 'A', OPS],
      ],
      // operator-1's round-0 notification and operator-2's round-1 one are still open.
      withdrawn: [OP1, OP2],
    },
  ],
  'tpl-presence-cancels': [
    {
      name: 'first accept ends',
      scenario: { steps: [{ at: 5_000, event: 'accept', by: OP1 }] },
      end: [5_000, 'accepted', 'done'],
      notifications: 2,
      notifies: [[0, 'A', OPS]],
      withdrawn: [OP2],
    },
    {
      name: 'nobody answers: B, then unanswered',
      scenario: { steps: [] },
      end: [120_000, 'unanswered', 'active'],
      notifications: 3,
      notifies: [
        [0, 'A', OPS],
        [60_000, 'B', [SUP]],
      ],
    },
  ],
  'tpl-supervision': [
    {
      name: 'nobody acknowledges: technicians (B), then operators (A), then open',
      scenario: { steps: [] },
      end: [120_000, 'open', 'active'],
      notifications: 3,
      notifies: [
        [0, 'B', [SUP]],
        [60_000, 'A', OPS],
      ],
    },
    {
      name: 'the technician accepts: acknowledged, waiting for LINK_UP',
      scenario: { steps: [{ at: 10_000, event: 'accept', by: SUP }] },
      end: [10_000, 'acknowledged', 'active'],
      notifications: 1,
      notifies: [[0, 'B', [SUP]]],
      withdrawn: [],
    },
  ],
};

describe('built-in templates: simulated scenarios', () => {
  for (const [id, list] of Object.entries(cases)) {
    for (const c of list) {
      it(`${id}: ${c.name}`, () => {
        const tl = simulatePlan(machineOf(id), input, c.scenario);
        assert.deepEqual([tl.end.at, tl.end.state, tl.end.status], c.end);
        assert.equal(tl.notifications, c.notifications);
        assert.ok(tl.notifications <= figures[id]!.max);
        assert.deepEqual(notifies(tl), c.notifies);
        if (c.withdrawn) assert.deepEqual(withdrawn(tl), c.withdrawn);
      });
    }
  }
});

/** Folds planStep over `events`; returns the last result and every notify/withdraw effect. */
function fold(id: string, events: { type: string; [k: string]: unknown }[]) {
  const machine = machineOf(id);
  let r: StepResult = planStart(machine, input);
  const effects: PlanAction[] = [...r.actions];
  for (const e of events) {
    r = planStep(machine, r.snapshot, e);
    effects.push(...r.actions);
  }
  const users = (a: PlanAction) => (a.params as { notifications: { user: string }[] }).notifications.map((n) => n.user);
  return {
    state: stateKey(r.snapshot),
    status: r.snapshot.status,
    notified: effects.filter((a) => a.type === 'tocsin.notify').flatMap(users),
    withdrawn: effects.filter((a) => a.type === 'tocsin.withdraw').flatMap(users),
  };
}

const timer = (id: string, state: string) => ({ type: `xstate.after.levelTimeout.${id}.${state}` });

describe('built-in templates: PRESENCE and LINK_UP (planStep by hand)', () => {
  it('tpl-presence-cancels: PRESENCE while A rings ends it as resolvedByPresence, withdrawing A', () => {
    const r = fold('tpl-presence-cancels', [{ type: 'PRESENCE', at: 5_000 }]);
    assert.deepEqual(r, { state: 'resolvedByPresence', status: 'done', notified: OPS, withdrawn: OPS });
  });

  it('tpl-presence-cancels: PRESENCE after the escalation to B withdraws A and B', () => {
    const id = 'tpl-presence-cancels';
    const r = fold(id, [
      { type: 'RESPONSE', response: 'reject', by: OP1, at: 1_000 },
      timer(id, 'levelA'),
      { type: 'PRESENCE', at: 70_000 },
    ]);
    assert.deepEqual(r, {
      state: 'resolvedByPresence',
      status: 'done',
      notified: [...OPS, SUP],
      withdrawn: [OP2, SUP],
    });
  });

  it('tpl-supervision: LINK_UP while the technicians ring clears it', () => {
    const r = fold('tpl-supervision', [{ type: 'LINK_UP', at: 5_000 }]);
    assert.deepEqual(r, { state: 'cleared', status: 'done', notified: [SUP], withdrawn: [SUP] });
  });

  it('tpl-supervision: LINK_UP after the escalation to A and the open state clears it', () => {
    const id = 'tpl-supervision';
    const r = fold(id, [timer(id, 'technicians'), timer(id, 'operators'), { type: 'LINK_UP', at: 200_000 }]);
    assert.deepEqual(r, { state: 'cleared', status: 'done', notified: [SUP, ...OPS], withdrawn: [SUP, ...OPS] });
  });

  it('tpl-supervision: acknowledged, then LINK_UP clears it with nothing left to withdraw', () => {
    const r = fold('tpl-supervision', [
      { type: 'RESPONSE', response: 'accept', by: SUP, at: 1_000 },
      { type: 'LINK_UP', at: 2_000 },
    ]);
    assert.deepEqual(r, { state: 'cleared', status: 'done', notified: [SUP], withdrawn: [] });
  });
});
