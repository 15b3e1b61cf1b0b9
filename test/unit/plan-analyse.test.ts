// machines/plan-analyse.ts: the escalate figures against their closed forms for several
// (T, R, |A|, |B|), the abstract key against the exact one, small hand-written plans (an
// unreachable state, a delayed first notification, a delay-less re-notify loop), a
// cross-check with xstate/graph, a fast-check property tying the analysis to simulation, and
// DELIVERY failures (an unbounded failure loop, one bounded by rounds, a failure-only level).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { getShortestPaths } from 'xstate/graph';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput } from '../../machines/plan-context.ts';
import { createPlanMachine, type PlanDefinition } from '../../machines/plan-machine.ts';
import { analysePlan } from '../../machines/plan-analyse.ts';
import { PRESENCE_USERS } from '../../machines/plan-analyse-events.ts';
import { simulatePlan, type ScenarioStep } from '../../machines/plan-simulate.ts';
import { planStart, planStep, stateKey, type StepResult } from '../../machines/plan-step.ts';

const escalate = createPlanMachine(builtinPlans.find((p) => p.ref.id === 'escalate')!.definition);

function inputOf(groups: Record<string, readonly string[]>, params: PlanInput['params']): PlanInput {
  return {
    alarm: {
      id: 'a1',
      type: 'test',
      priority: 1,
      text: 'Fire in cabin 7',
      location: undefined,
      source: { adapter: 'test' },
      environment: 'default',
      raisedAt: 0,
    },
    groups,
    params,
  };
}

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('analysePlan: escalate closed forms', () => {
  const combos: [T: number, R: number, a: number, b: number][] = [
    [60_000, 1, 1, 1],
    [60_000, 2, 2, 1],
    [30_000, 3, 3, 2],
    [20_000, 5, 2, 1],
    [1_000, 4, 1, 3],
  ];
  for (const [T, R, a, b] of combos) {
    it(`T=${T} R=${R} |A|=${a} |B|=${b}: last escalation 2RT, max (|A|+|B|)R, first 0`, () => {
      const an = analysePlan(
        escalate,
        inputOf({ A: users('a', a), B: users('b', b) }, { levelTimeoutMs: T, rounds: R }),
      );
      assert.equal(an.truncated, false);
      assert.equal(an.worstCaseFirstNotificationMs, 0);
      assert.equal(an.worstCaseLastEscalationMs, 2 * R * T);
      assert.equal(an.maxNotificationsPerAlarm, (a + b) * R);
      assert.deepEqual(an.reachableStates, ['accepted', 'cancelled', 'levelA', 'levelB', 'unanswered']);
      assert.deepEqual(an.transientStates, ['endOfRound']);
      assert.deepEqual(an.unreachableStates, []);
      assert.deepEqual(an.finalStates, ['accepted', 'cancelled']);
      assert.deepEqual(an.pathsToFinal, [
        { state: 'accepted', events: ['RESPONSE accept by a1'], atMs: 0 },
        { state: 'cancelled', events: ['CANCEL'], atMs: 0 },
      ]);
      assert.deepEqual(an.loopsWithoutDelay, []); // reject-all escalation is bounded by rounds
      assert.deepEqual(an.errors, []);
    });
  }

  it('the abstract key gives the same figures as the exact key', () => {
    for (const [R, a, b] of [
      [1, 2, 1],
      [2, 2, 1],
      [3, 1, 1],
      [2, 2, 2],
    ] as const) {
      const input = inputOf({ A: users('a', a), B: users('b', b) }, { levelTimeoutMs: 1000, rounds: R });
      const { exploredStates: n1, ...abstract } = analysePlan(escalate, input);
      const { exploredStates: n2, ...exact } = analysePlan(escalate, input, { exact: true });
      assert.deepEqual(abstract, exact);
      assert.ok(n1 <= n2);
    }
  });

  it('a user in both groups is notified once per level, as the runtime does', () => {
    const an = analysePlan(escalate, inputOf({ A: ['x', 'y'], B: ['x'] }, { levelTimeoutMs: 1000, rounds: 2 }));
    assert.equal(an.maxNotificationsPerAlarm, 6);
  });

  it('agrees with xstate/graph shortest paths over the state value (one round)', () => {
    const input = inputOf({ A: ['alice', 'bob'], B: ['carol'] }, { levelTimeoutMs: 1000, rounds: 1 });
    const events = [
      ...['alice', 'bob', 'carol', 'zed'].flatMap((by) =>
        ['accept', 'reject'].map((response) => ({ type: 'RESPONSE', response, by, at: 0 })),
      ),
      { type: 'CANCEL', by: 'x', at: 0 },
      { type: 'xstate.after.levelTimeout.escalate.levelA' },
      { type: 'xstate.after.levelTimeout.escalate.levelB' },
    ];
    const paths = getShortestPaths(escalate, {
      input,
      events,
      serializeState: (s) => JSON.stringify(s.value),
    } as Parameters<typeof getShortestPaths>[1]);
    const graphStates = [...new Set(paths.map((p) => p.state.value as string))].sort();
    assert.deepEqual(graphStates, analysePlan(escalate, input).reachableStates);
  });
});

describe('analysePlan: hand-written plans', () => {
  const input = inputOf({ A: ['alice'], B: ['bob'] }, {});

  it('reports an unreachable state', () => {
    const def: PlanDefinition = {
      id: 'orphan',
      initial: 'ringing',
      states: {
        ringing: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          after: { 1000: { target: 'done' } },
          on: { CANCEL: { target: 'done' } },
        },
        forgotten: { entry: [{ type: 'notify', params: { group: 'B' } }], on: { CANCEL: { target: 'done' } } },
        done: { type: 'final', entry: ['withdraw'] },
      },
    };
    const an = analysePlan(createPlanMachine(def), input);
    assert.deepEqual(an.unreachableStates, ['forgotten']);
    assert.deepEqual(an.reachableStates, ['done', 'ringing']);
    assert.equal(an.worstCaseLastEscalationMs, 1000);
    assert.equal(an.maxNotificationsPerAlarm, 1);
    assert.deepEqual(an.pathsToFinal, [{ state: 'done', events: ['CANCEL'], atMs: 0 }]);
  });

  it('measures a delayed first notification, and null when a path waits with nobody notified', () => {
    const delayed: PlanDefinition = {
      id: 'delayed',
      initial: 'quiet',
      states: {
        quiet: { after: { 5000: { target: 'ringing' } }, on: { CANCEL: { target: 'done' } } },
        ringing: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          on: { RESPONSE: { target: 'done' }, CANCEL: { target: 'done' } },
        },
        done: { type: 'final' },
      },
    };
    const an = analysePlan(createPlanMachine(delayed), input);
    assert.equal(an.worstCaseFirstNotificationMs, 5000);
    assert.equal(an.worstCaseLastEscalationMs, 5000);

    const stuck: PlanDefinition = {
      id: 'stuck',
      initial: 'quiet',
      states: {
        quiet: { on: { GO: { target: 'ringing' }, CANCEL: { target: 'done' } } },
        ringing: { entry: [{ type: 'notify', params: { group: 'A' } }], on: { CANCEL: { target: 'done' } } },
        done: { type: 'final' },
      },
    };
    const s = analysePlan(createPlanMachine(stuck), input);
    assert.equal(s.worstCaseFirstNotificationMs, null);
    assert.deepEqual(s.reachableStates, ['done', 'quiet', 'ringing']); // GO is tried as a declared event
  });

  it('reports a delay-less re-notify loop (unbounded round) and gives no maximum', () => {
    const spam: PlanDefinition = {
      id: 'spam',
      initial: 'ringing',
      states: {
        ringing: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          after: { 60000: { target: 'done' } },
          on: {
            RESPONSE: { target: 'ringing', reenter: true, actions: ['recordResponse', 'nextRound'] },
            CANCEL: { target: 'done' },
          },
        },
        done: { type: 'final', entry: ['withdraw'] },
      },
    };
    const an = analysePlan(createPlanMachine(spam), input, { maxStates: 200 });
    assert.equal(an.truncated, true);
    assert.equal(an.maxNotificationsPerAlarm, null);
    assert.equal(an.worstCaseLastEscalationMs, null);
    assert.deepEqual(an.loopsWithoutDelay, [
      {
        states: ['ringing'],
        events: [
          'RESPONSE accept by alice',
          'RESPONSE accept by bob',
          'RESPONSE accept by ~stranger',
          'RESPONSE reject by alice',
          'RESPONSE reject by bob',
          'RESPONSE reject by ~stranger',
        ],
        certain: false,
      },
    ]);
  });

  it('does not report an instant cycle that notifies nobody new', () => {
    // ping → pong → ping with no delay: ping's re-entry notifies A again in the same round, but
    // notification ids are `<group>.<round>.<user>`, so nobody is notified twice. (With this
    // registry a notifying cycle always changes the context, so loops are found through
    // truncation, as above; `certain: true` is for plans whose context cycles.)
    const quiet: PlanDefinition = {
      id: 'pingpong',
      initial: 'ping',
      states: {
        ping: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          on: { GO: { target: 'pong' }, CANCEL: { target: 'done' } },
        },
        pong: { on: { GO: { target: 'ping' }, CANCEL: { target: 'done' } } },
        done: { type: 'final' },
      },
    };
    const an = analysePlan(createPlanMachine(quiet), input);
    assert.equal(an.truncated, false);
    assert.deepEqual(an.loopsWithoutDelay, []);
    assert.equal(an.maxNotificationsPerAlarm, 1);
    assert.equal(an.worstCaseLastEscalationMs, 0);
  });
});

describe('analysis bounds simulation (fast-check)', () => {
  const input = inputOf({ A: ['alice', 'bob'], B: ['carol'] }, { levelTimeoutMs: 60_000, rounds: 2 });
  const analysis = analysePlan(escalate, input);

  it('escalate figures at T=60 s, R=2: 240 s and 6', () => {
    assert.equal(analysis.worstCaseLastEscalationMs, 240_000);
    assert.equal(analysis.maxNotificationsPerAlarm, 6);
  });

  const who = fc.constantFrom('alice', 'bob', 'carol', 'stranger');
  const step: fc.Arbitrary<ScenarioStep> = fc.oneof(
    fc.record({
      at: fc.integer({ min: 0, max: 400_000 }),
      event: fc.constantFrom('accept' as const, 'reject' as const),
      by: who,
    }),
    fc.record({ at: fc.integer({ min: 0, max: 400_000 }), event: fc.constant('cancel' as const), by: who }),
    fc.record({ at: fc.integer({ min: 0, max: 400_000 }), event: fc.constant('deliveryFailed' as const), user: who }),
  );
  // Rejects are weighted up so that reject-all escalations happen often.
  const steps = fc.array(
    fc.oneof(
      { weight: 1, arbitrary: step },
      { weight: 3, arbitrary: step.map((s) => (s.event === 'accept' ? { ...s, event: 'reject' as const } : s)) },
    ),
    {
      maxLength: 12,
    },
  );

  it('simulated notifications ≤ max, last escalation ≤ worst case', () => {
    fc.assert(
      fc.property(steps, (s) => {
        const tl = simulatePlan(escalate, input, { steps: s });
        assert.ok(tl.notifications <= analysis.maxNotificationsPerAlarm!);
        const escalations = tl.entries
          .filter(
            (e) => e.trigger.kind === 'timer' || e.effects.some((x) => x.type === 'notify' && x.recipients.length > 0),
          )
          .map((e) => e.at);
        assert.ok(Math.max(...escalations) <= analysis.worstCaseLastEscalationMs!);
        assert.equal(tl.firstNotificationAt, analysis.worstCaseFirstNotificationMs);
      }),
      { numRuns: 300 },
    );
  });
});

describe('analysePlan: presence and forward', () => {
  // The last present recipient of the tracked ward leaving forwards the alarm; cancel ends it.
  const def: PlanDefinition = {
    id: 'ward',
    initial: 'ringing',
    states: {
      ringing: {
        entry: { type: 'notify', params: { group: 'A' } },
        on: {
          PRESENCE: [
            {
              guard: { type: 'nobodyPresent', params: { group: 'ward' } },
              target: 'unattended',
              actions: 'recordPresence',
            },
            { actions: 'recordPresence' },
          ],
          CANCEL: 'cancelled',
        },
      },
      unattended: { type: 'final', entry: { type: 'forward', params: { alarmType: 'charge-nurse' } } },
      cancelled: { type: 'final', entry: 'withdraw' },
    },
  };
  const machine = createPlanMachine(def);

  it('tries PRESENCE of the tracked group and reaches the forward; forward counts no notification', () => {
    const an = analysePlan(machine, {
      ...inputOf({ A: ['alice', 'bob'], ward: ['alice', 'bob'] }, {}),
      presence: { ward: ['alice'] },
    });
    assert.deepEqual(an.errors, []);
    assert.equal(an.truncated, false);
    assert.deepEqual(an.finalStates, ['cancelled', 'unattended']);
    assert.deepEqual(an.pathsToFinal, [
      { state: 'cancelled', events: ['CANCEL'], atMs: 0 },
      { state: 'unattended', events: ['PRESENCE alice out of ward'], atMs: 0 },
    ]);
    assert.equal(an.maxNotificationsPerAlarm, 2);
  });

  it('bounds the presence users per group (PRESENCE_USERS) and still explores them all', () => {
    const many = users('u', 10);
    const an = analysePlan(machine, { ...inputOf({ A: ['alice'], ward: many }, {}), presence: { ward: [] } });
    assert.equal(an.truncated, false);
    // u1, u10, u2 (sorted) each in or out: 2^3 presence sets of the ringing state, and two finals.
    assert.equal(an.exploredStates, 2 ** PRESENCE_USERS + 2);
    assert.deepEqual(an.finalStates, ['cancelled', 'unattended']);
  });

  it('without tracked groups a PRESENCE is still tried (untracked: the ward has members, so never nobody)', () => {
    const an = analysePlan(machine, inputOf({ A: ['alice'], ward: ['alice'] }, {}));
    assert.deepEqual(an.errors, []);
    assert.deepEqual(an.finalStates, ['cancelled']);
    assert.deepEqual(an.unreachableStates, ['unattended']);
  });
});

describe('analysePlan: DELIVERY failures', () => {
  const escalateDef = builtinPlans.find((p) => p.ref.id === 'escalate')!.definition;
  /** escalate with a DELIVERY transition added to level B. */
  const withLevelBDelivery = (id: string, transition: unknown): PlanDefinition => {
    const def = JSON.parse(JSON.stringify({ ...escalateDef, id })) as { states: Record<string, any> };
    def.states.levelB.on.DELIVERY = transition;
    return def as unknown as PlanDefinition;
  };
  const fail = (notificationId: string) => ({
    type: 'DELIVERY',
    notificationId,
    status: 'failed',
    retryable: false,
    at: 0,
  });

  it('finds the unbounded loop of "a failure in level B goes back to level A, next round"', () => {
    // The property test's finding: the analyser tried only a bare {type: 'DELIVERY'}, on which
    // deliveryFailed never holds, and called this plan "at most 2 notifications, no loops".
    const def = withLevelBDelivery('fail-loops', {
      guard: 'deliveryFailed',
      target: 'levelA',
      actions: ['recordDelivery', 'nextRound'],
    });
    const machine = createPlanMachine(def);
    const input = inputOf({ A: ['alice'], B: ['bob'] }, { levelTimeoutMs: 1000, rounds: 1 });
    // The runtime's own steps: every round notifies alice and bob afresh, without end.
    const recipients = (r: StepResult) =>
      r.actions
        .filter((a) => a.type === 'tocsin.notify')
        .reduce((n, a) => n + (a.params as { notifications: unknown[] }).notifications.length, 0);
    let step = planStart(machine, input);
    let notified = recipients(step);
    for (let round = 0; round < 5; round++) {
      step = planStep(machine, step.snapshot, { type: 'xstate.after.levelTimeout.fail-loops.levelA' });
      notified += recipients(step);
      step = planStep(machine, step.snapshot, fail(`B.${round}.bob`));
      notified += recipients(step);
    }
    assert.equal(stateKey(step.snapshot), 'levelA');
    assert.equal(notified, 11); // 5 failures, 11 notifications

    const an = analysePlan(machine, input, { maxStates: 300 });
    assert.equal(an.truncated, true);
    assert.equal(an.maxNotificationsPerAlarm, null);
    assert.equal(an.worstCaseLastEscalationMs, null);
    assert.equal(an.loopsWithoutDelay.length, 1);
    const [loop] = an.loopsWithoutDelay;
    assert.deepEqual(loop!.states, ['levelA', 'levelB']);
    assert.equal(loop!.certain, false);
    assert.ok(loop!.events.includes('DELIVERY failed B.0.bob'), loop!.events.join(', '));
    // A pending notification of an older level failing in level B counts too.
    assert.ok(loop!.events.includes('DELIVERY failed A.0.alice'), loop!.events.join(', '));
  });

  it('bounds the same loop when the failure ends the round through roundsLeft: (|A| + |B|)·R', () => {
    const def = withLevelBDelivery('fail-ends-round', {
      guard: 'deliveryFailed',
      target: 'endOfRound',
      actions: ['recordDelivery'],
    });
    for (const [R, a, b] of [
      [1, 1, 1],
      [2, 2, 1],
      [3, 1, 2],
    ] as const) {
      const input = inputOf({ A: users('a', a), B: users('b', b) }, { levelTimeoutMs: 1000, rounds: R });
      const an = analysePlan(createPlanMachine(def), input);
      assert.equal(an.truncated, false);
      assert.equal(an.maxNotificationsPerAlarm, (a + b) * R);
      assert.equal(an.worstCaseLastEscalationMs, 2 * R * 1000);
      assert.deepEqual(an.loopsWithoutDelay, []);
      assert.deepEqual(an.errors, []);
      // The count of pending older notifications in the key keeps the figures of the exact key
      // (compared where the exact exploration is small enough not to be truncated).
      if (R * (a + b) > 6) continue;
      const { exploredStates: n1, ...abstract } = an;
      const { exploredStates: n2, ...exact } = analysePlan(createPlanMachine(def), input, { exact: true });
      assert.deepEqual(abstract, exact);
      assert.ok(n1 <= n2);
    }
  });

  it('counts the notifications only a failure leads to, at 0 ms', () => {
    // Level B is reached only by a failed delivery in level A; a timeout skips it.
    const def: PlanDefinition = {
      id: 'fallback',
      initial: 'levelA',
      states: {
        levelA: {
          entry: [{ type: 'notify', params: { group: 'A' } }],
          after: { 5000: { target: 'done' } },
          on: {
            DELIVERY: { guard: 'deliveryFailed', target: 'levelB', actions: ['recordDelivery'] },
            CANCEL: { target: 'done' },
          },
        },
        levelB: {
          entry: [{ type: 'notify', params: { group: 'B' } }],
          after: { 7000: { target: 'done' } },
          on: { CANCEL: { target: 'done' } },
        },
        done: { type: 'final', entry: ['withdraw'] },
      },
    };
    const an = analysePlan(createPlanMachine(def), inputOf({ A: ['alice', 'bob'], B: ['carol'] }, {}));
    assert.equal(an.truncated, false);
    assert.equal(an.maxNotificationsPerAlarm, 3);
    assert.deepEqual(an.reachableStates, ['done', 'levelA', 'levelB']);
    // The failure is taken at 0 ms: the worst case is level B's timer alone, not 5 s + 7 s.
    assert.equal(an.worstCaseLastEscalationMs, 7000);
    assert.deepEqual(an.loopsWithoutDelay, []);
  });

  it('a failure of an id the alarm does not have moves only an unguarded DELIVERY transition', () => {
    const def = (guard: string | undefined): PlanDefinition => ({
      id: 'unguarded',
      initial: 'waiting',
      states: {
        waiting: {
          on: {
            DELIVERY: guard === undefined ? { target: 'failed' } : { guard, target: 'failed' },
            CANCEL: { target: 'done' },
          },
        },
        failed: { entry: [{ type: 'notify', params: { group: 'A' } }], on: { CANCEL: { target: 'done' } } },
        done: { type: 'final' },
      },
    });
    const input = inputOf({ A: ['alice'] }, {});
    // Nobody was notified, so no failure of one of the alarm's notifications can come.
    const guarded = analysePlan(createPlanMachine(def('deliveryFailed')), input);
    assert.deepEqual(guarded.unreachableStates, ['failed']);
    const unguarded = analysePlan(createPlanMachine(def(undefined)), input);
    assert.deepEqual(unguarded.unreachableStates, []);
    assert.equal(unguarded.maxNotificationsPerAlarm, 1);
  });
});
