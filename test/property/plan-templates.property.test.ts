// Properties of every built-in plan (escalate@1 and the tpl-* templates) under random event
// sequences, in pure code: planStart/planStep (the runtime's own decision) on a virtual clock
// whose timers are armed and fired exactly as plan-simulate.ts does it (effectsOf; earliest due
// first, ties by arming order). Commands: responses (accept/reject) by group members and by
// strangers, DELIVERY events for existing and made-up notification ids, clock advances that
// fire the due timers, CANCEL, and events the plan does not expect. Invariants, checked after
// every step (see `check`): planStep never throws; a final snapshot never changes and its steps
// return no actions; once the alarm is accepted (or ended) nothing is notified again; CANCEL of
// a running alarm ends it and withdraws exactly the notifications that were pending; a withdraw
// names only pending notifications; the notified recipients never exceed analysePlan's
// maxNotificationsPerAlarm for that plan and input. Next to the built-in plans runs one that
// escalates only on a failed delivery (`deliveryFallback`), so that maximum must count failures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput, PlanNotification } from '../../machines/plan-context.ts';
import { analysePlan } from '../../machines/plan-analyse.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import { validatePlan } from '../../machines/plan-validate.ts';
import { effectsOf, type ArmedTimer, type PlanEvent } from '../../machines/plan-simulate.ts';
import { planStart, planStep, stateKey, type PlanAction, type StepResult } from '../../machines/plan-step.ts';

const RUNS_PER_PLAN = 200;

/**
 * The states in which a plan counts the alarm as accepted: from there on it must never notify.
 * Final states count for every plan. Every built-in plan must be listed (checked below), so a
 * new one is classified on purpose.
 */
const ACCEPTED_STATES: Record<string, readonly string[]> = {
  escalate: ['accepted'],
  'tpl-all-must-accept': ['accepted'],
  'tpl-n-of-m': ['accepted'],
  'tpl-reject-escalates': ['accepted'],
  'tpl-repeat-backoff': ['accepted'],
  'tpl-presence-cancels': ['accepted'],
  'tpl-supervision': ['acknowledged'],
  'delivery-fallback': ['accepted'],
};

/** Not built in: level B is reached only when a delivery of level A fails; B's failure ends the round. */
const deliveryFallback: PlanDefinition = {
  id: 'delivery-fallback',
  initial: 'levelA',
  states: {
    levelA: {
      entry: [{ type: 'notify', params: { group: 'A' } }],
      after: { levelTimeout: { target: 'endOfRound' } },
      on: {
        RESPONSE: [
          { guard: 'accepted', target: 'accepted', actions: ['recordResponse'] },
          { actions: ['recordResponse'] },
        ],
        DELIVERY: { guard: 'deliveryFailed', target: 'levelB', actions: ['recordDelivery'] },
        CANCEL: { target: 'cancelled' },
      },
    },
    levelB: {
      entry: [{ type: 'notify', params: { group: 'B' } }],
      after: { levelTimeout: { target: 'endOfRound' } },
      on: {
        RESPONSE: [
          { guard: 'accepted', target: 'accepted', actions: ['recordResponse'] },
          { actions: ['recordResponse'] },
        ],
        DELIVERY: { guard: 'deliveryFailed', target: 'endOfRound', actions: ['recordDelivery'] },
        CANCEL: { target: 'cancelled' },
      },
    },
    endOfRound: {
      always: [{ guard: 'roundsLeft', target: 'levelA', actions: ['nextRound'] }, { target: 'unanswered' }],
    },
    unanswered: {
      on: {
        RESPONSE: [
          { guard: 'accepted', target: 'accepted', actions: ['recordResponse'] },
          { actions: ['recordResponse'] },
        ],
        CANCEL: { target: 'cancelled' },
      },
    },
    accepted: { type: 'final', entry: ['withdraw'] },
    cancelled: { type: 'final', entry: ['withdraw'] },
  },
};

/** The plans under test: every built-in plan, and deliveryFallback. */
const plans: readonly { ref: { id: string }; definition: PlanDefinition }[] = [
  ...builtinPlans,
  { ref: { id: deliveryFallback.id }, definition: deliveryFallback },
];

const alarm: PlanInput['alarm'] = {
  id: 'a1',
  type: 'test',
  priority: 1,
  text: 'Test alarm',
  location: undefined,
  source: { adapter: 'test' },
  environment: 'default',
  raisedAt: 1_000_000,
};

/** Inputs: the template tests' one, a user in both groups, single-member and empty groups. */
const inputs: Record<string, PlanInput> = {
  templates: {
    alarm,
    groups: { A: ['operator-1', 'operator-2'], B: ['supervisor-1'] },
    params: { levelTimeoutMs: 60_000, rounds: 3 },
  },
  overlap: {
    alarm,
    groups: { A: ['operator-1', 'supervisor-1'], B: ['supervisor-1'] },
    params: { levelTimeoutMs: 1_000, rounds: 2 },
  },
  lone: { alarm, groups: { A: ['operator-1'], B: [] }, params: { levelTimeoutMs: 1_000, rounds: 1 } },
  emptyA: {
    alarm,
    groups: { A: [], B: ['supervisor-1', 'operator-2'] },
    params: { levelTimeoutMs: 30_000, rounds: 2 },
  },
};
/** Responders: every group member of any input, and strangers. */
const USERS = ['operator-1', 'operator-2', 'supervisor-1', 'zed', '~stranger'];

type Command =
  | { readonly kind: 'respond'; readonly response: 'accept' | 'reject'; readonly by: string }
  | { readonly kind: 'delivery'; readonly pick: number | null; readonly status: 'failed' | 'delivered' }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'nextTimer' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'other'; readonly event: PlanEvent };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      response: fc.constantFrom('accept' as const, 'reject' as const),
      by: fc.constantFrom(...USERS),
    }),
  },
  {
    weight: 1,
    // pick: an index into the notifications made so far (modulo), or null for a made-up id.
    arbitrary: fc.record({
      kind: fc.constant('delivery' as const),
      pick: fc.option(fc.nat(20), { nil: null }),
      status: fc.constantFrom('failed' as const, 'delivered' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(150_000) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'nextTimer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('other' as const),
      event: fc.constantFrom<PlanEvent>(
        { type: 'PRESENCE' },
        { type: 'LINK_UP' },
        { type: 'NO_SUCH_EVENT' },
        { type: 'xstate.after.levelTimeout.nowhere.nothing' },
        { type: 'RESPONSE', response: 'maybe', by: 'operator-1' },
        { type: 'RESPONSE' },
        { type: 'CANCEL' },
        { type: 'DELIVERY' },
      ),
    }),
  },
);
// Responses and clock advances outnumber cancels, so runs reach later levels and rounds.
const commands = fc.array(command, { maxLength: 30 });

const notificationsOf = (r: StepResult) => (r.snapshot.context.notifications ?? []) as PlanNotification[];
const idsOf = (actions: readonly PlanAction[], type: 'tocsin.notify' | 'tocsin.withdraw') =>
  actions
    .filter((a) => a.type === type)
    .flatMap((a) => (a.params as { notifications: { id: string }[] }).notifications.map((n) => n.id));

function planOf(id: string) {
  const p = plans.find((x) => x.ref.id === id);
  assert.ok(p, id);
  return p;
}

/** Folds `cs` through the plan and checks every invariant after every step; throws on a violation. */
function run(planId: string, inputName: string, max: number, cs: readonly Command[]): void {
  const machine = createPlanMachine(planOf(planId).definition);
  const input = inputs[inputName]!;
  const accepting = new Set(ACCEPTED_STATES[planId]);
  const armed = new Map<string, ArmedTimer>();
  let seq = 0;
  let t = 0;
  let notified = 0;
  let acceptedAt: string | undefined; // the step that reached an accepted state, for messages
  const trail: string[] = [];

  const apply = (r: StepResult, label: string) => {
    effectsOf(r.actions, t, armed, () => seq++);
    trail.push(`${label} → ${stateKey(r.snapshot)}`);
    const where = () => `${planId}/${inputName}: ${trail.join(', ')}`;
    // The step that enters an accepted (or final) state counts as after the accept too.
    if (r.snapshot.status === 'done' || accepting.has(stateKey(r.snapshot))) acceptedAt ??= label;
    const newlyNotified = idsOf(r.actions, 'tocsin.notify');
    if (acceptedAt !== undefined) assert.deepEqual(newlyNotified, [], `notified after ${acceptedAt}: ${where()}`);
    notified += newlyNotified.length;
    assert.ok(notified <= max, `${notified} notified > analysed maximum ${max}: ${where()}`);
    return r;
  };

  let current = apply(planStart(machine, input), 'start');
  const step = (event: PlanEvent, label: string) => {
    const before = current;
    const pendingBefore = notificationsOf(before)
      .filter((n) => n.status === 'pending')
      .map((n) => n.id);
    const r = planStep(machine, before.snapshot, event); // never throws: a throw fails the property
    const where = () => `${planId}/${inputName}: ${trail.join(', ')}, ${label}`;
    if (before.snapshot.status === 'done') {
      assert.deepEqual(r.actions, [], `a final snapshot acted: ${where()}`);
      assert.deepEqual(r.snapshot, before.snapshot, `a final snapshot changed: ${where()}`);
    }
    // A withdraw names only notifications that were pending (or were made in this very step).
    const withdrawn = idsOf(r.actions, 'tocsin.withdraw');
    const allowed = new Set([...pendingBefore, ...idsOf(r.actions, 'tocsin.notify')]);
    for (const id of withdrawn) assert.ok(allowed.has(id), `withdrew ${id}, not pending: ${where()}`);
    assert.equal(new Set(withdrawn).size, withdrawn.length, `withdrew twice in one step: ${where()}`);
    if (event.type === 'CANCEL' && before.snapshot.status !== 'done') {
      assert.equal(r.snapshot.status, 'done', `CANCEL did not end the alarm: ${where()}`);
      assert.deepEqual([...withdrawn].sort(), [...pendingBefore].sort(), `CANCEL withdrawals: ${where()}`);
      const open = notificationsOf(r).filter((n) => n.status === 'pending');
      assert.deepEqual(open, [], `pending after CANCEL: ${where()}`);
    }
    current = apply(r, label);
  };
  const fire = (timer: ArmedTimer) => {
    armed.delete(timer.sendId);
    t = timer.dueAt;
    step(timer.event, `${timer.event.type}@${t}`);
  };
  const earliest = () => {
    let first: ArmedTimer | undefined;
    for (const a of armed.values()) {
      if (!first || a.dueAt < first.dueAt || (a.dueAt === first.dueAt && a.seq < first.seq)) first = a;
    }
    return first;
  };

  for (const c of cs) {
    const at = input.alarm.raisedAt + t;
    switch (c.kind) {
      case 'respond':
        step({ type: 'RESPONSE', response: c.response, by: c.by, at }, `${c.by} ${c.response}s@${t}`);
        break;
      case 'delivery': {
        const all = notificationsOf(current);
        const notificationId = c.pick === null || all.length === 0 ? 'A.9.nobody' : all[c.pick % all.length]!.id;
        step(
          { type: 'DELIVERY', notificationId, status: c.status, retryable: false, reason: 'test', at },
          `DELIVERY ${c.status} ${notificationId}@${t}`,
        );
        break;
      }
      case 'advance': {
        const until = t + c.ms;
        for (let timer = earliest(); timer && timer.dueAt <= until; timer = earliest()) fire(timer);
        t = until;
        break;
      }
      case 'nextTimer': {
        const timer = earliest();
        if (timer) fire(timer);
        break;
      }
      case 'cancel':
        step({ type: 'CANCEL', by: 'operator', at }, `CANCEL@${t}`);
        break;
      case 'other':
        step({ ...c.event, at }, `${c.event.type}@${t}`);
        break;
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  }
}

describe('every built-in plan under random event sequences (pure, virtual clock)', () => {
  it('every built-in plan has its accepted states listed, and they exist', () => {
    assert.deepEqual(Object.keys(ACCEPTED_STATES).sort(), plans.map((p) => p.ref.id).sort());
    assert.deepEqual(validatePlan(deliveryFallback), { ok: true, plan: deliveryFallback, warnings: [] });
    for (const p of plans) {
      for (const s of ACCEPTED_STATES[p.ref.id]!) assert.ok(s in p.definition.states, `${p.ref.id}: ${s}`);
    }
  });

  for (const p of plans) {
    it(`${p.ref.id}: no crash, silence after accept, cancel withdraws all pending, count ≤ analysed max`, () => {
      const machine = createPlanMachine(p.definition);
      const max: Record<string, number> = {};
      for (const [name, input] of Object.entries(inputs)) {
        const a = analysePlan(machine, input);
        assert.equal(a.truncated, false, `${p.ref.id}/${name}: analysis truncated`);
        assert.ok(a.maxNotificationsPerAlarm !== null, `${p.ref.id}/${name}: unbounded notifications`);
        max[name] = a.maxNotificationsPerAlarm;
      }
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(inputs)), commands, (name, cs) =>
          run(p.ref.id, name, max[name]!, cs),
        ),
        { numRuns: RUNS_PER_PLAN },
      );
    });
  }
});
