// The built-in escalation plan (machines/plans/escalate.json) through the pure decision of
// machines/plan-step.ts, no database: table-driven scenarios (a comment on each), then
// fast-check properties over random event sequences. Timers are tracked from the returned
// `xstate.raise` / `xstate.cancel` actions exactly as the runtime tracks timer rows, and a
// timer event is delivered only while its timer is armed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput, PlanNotification } from '../../machines/plan-context.ts';
import { createPlanMachine } from '../../machines/plan-machine.ts';
import { planStart, planStep, stateKey, type PlanAction, type StepResult } from '../../machines/plan-step.ts';
import { GENESIS } from '../../src/runtime/protocol-hash.ts';
import { buildStep } from '../../src/runtime/step-builder.ts';

const escalate = builtinPlans.find((p) => p.ref.id === 'escalate')!;
const machine = createPlanMachine(escalate.definition);

type Level = 'levelA' | 'levelB';
type Command =
  | { readonly respond: 'accept' | 'reject'; readonly by: string }
  | { readonly cancel: string }
  | { readonly timer: Level };

const timerEvent = (level: Level) => `xstate.after.levelTimeout.escalate.${level}`;

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

/** One recorded step: the event (undefined for the start), what the plan returned, the timers armed after it. */
interface Step {
  readonly event: { type: string; [k: string]: unknown } | undefined;
  readonly result: StepResult;
  readonly armed: readonly string[];
}

/**
 * Drives the plan like the runtime: start, then one event at a time. Armed timers are the
 * send ids of delayed raises not yet cancelled or fired (a list, so a double arm shows).
 */
class PlanRun {
  readonly steps: Step[] = [];
  private armedIds: string[] = [];
  private at = 0;

  constructor(readonly input: PlanInput) {
    this.record(undefined, planStart(machine, input));
  }

  get last(): StepResult {
    return this.steps[this.steps.length - 1]!.result;
  }

  get armed(): readonly string[] {
    return this.armedIds;
  }

  get ended(): boolean {
    return this.last.snapshot.status === 'done';
  }

  /** Delivers a command; a timer command whose timer is not armed delivers nothing and returns false. */
  apply(c: Command): boolean {
    this.at += 1;
    let event: { type: string; [k: string]: unknown };
    if ('respond' in c) event = { type: 'RESPONSE', response: c.respond, by: c.by, at: this.at };
    else if ('cancel' in c) event = { type: 'CANCEL', by: c.cancel, at: this.at };
    else {
      const id = timerEvent(c.timer);
      const i = this.armedIds.indexOf(id);
      if (i < 0) return false;
      this.armedIds.splice(i, 1); // consumed, like a fired timer row
      event = { type: id };
    }
    this.record(event, planStep(machine, this.last.snapshot, event));
    return true;
  }

  private record(event: Step['event'], result: StepResult): void {
    for (const a of result.actions) {
      const p = a.params as { delay?: unknown; id?: unknown; sendId?: unknown } | undefined;
      if (a.type === 'xstate.raise' && typeof p?.delay === 'number') this.armedIds.push(String(p.id));
      if (a.type === 'xstate.cancel') this.armedIds = this.armedIds.filter((id) => id !== String(p?.sendId));
    }
    this.steps.push({ event, result, armed: [...this.armedIds] });
  }
}

const ofType = (actions: readonly PlanAction[], type: string) => actions.filter((a) => a.type === type);
const ids = (a: PlanAction) => (a.params as { notifications: { id: string }[] }).notifications.map((n) => n.id);
const notificationsOf = (r: StepResult) => r.snapshot.context.notifications as PlanNotification[];

/** The protocol note of every step (pure: step-builder.ts over the plan's result). */
function notes(run: PlanRun): string[] {
  let prevState: string | null = null;
  let prev: PlanNotification[] = [];
  return run.steps.map((s, i) => {
    const commit = buildStep(
      {
        alarmId: 'a1',
        facts: run.input.alarm,
        seq: i + 1,
        prevHash: GENESIS,
        prevState,
        prevNotifications: prev,
        now: i,
        kind: i === 0 ? 'raised' : 'event',
        event: s.event ?? { type: 'RAISE' },
        actor: { kind: 'system', id: 'test' },
        channel: 'test',
        trigger: 'step',
      },
      s.result,
    );
    prevState = commit.state;
    prev = notificationsOf(s.result);
    return commit.entry.note;
  });
}

interface Scenario {
  readonly name: string;
  readonly groups: Record<string, readonly string[]>;
  readonly params: PlanInput['params'];
  readonly commands: readonly Command[];
  /** State after the start and after each command. */
  readonly states: readonly string[];
  /** Ids of every notification sent, in order. */
  readonly notified: readonly string[];
  /** Ids of every withdrawn notification, in order. */
  readonly withdrawn: readonly string[];
  /** Final status of each notification. */
  readonly statuses: Readonly<Record<string, PlanNotification['status']>>;
  /** Timers armed at the end. */
  readonly armed: readonly Level[];
  /** Substrings expected in the protocol note of the step with that index (0 = start). */
  readonly notes?: Readonly<Record<number, string>>;
}

const AB = { A: ['alice', 'bob'], B: ['carol'] };
const fast = { levelTimeoutMs: 1000, rounds: 1 };

const scenarios: readonly Scenario[] = [
  // One reject out of two does not escalate; the second reject escalates at once, without the timer.
  {
    name: 'reject by all of level A escalates to B at once',
    groups: AB,
    params: fast,
    commands: [
      { respond: 'reject', by: 'alice' },
      { respond: 'reject', by: 'bob' },
    ],
    states: ['levelA', 'levelA', 'levelB'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.carol'],
    withdrawn: [],
    statuses: { 'A.0.alice': 'rejected', 'A.0.bob': 'rejected', 'B.0.carol': 'pending' },
    armed: ['levelB'],
    notes: { 2: 'allRejected=true' },
  },
  // Rejecting twice is still one person: bob's notification stays open and nothing escalates.
  {
    name: 'a repeated reject by the same user does not count as everyone',
    groups: AB,
    params: fast,
    commands: [
      { respond: 'reject', by: 'alice' },
      { respond: 'reject', by: 'alice' },
    ],
    states: ['levelA', 'levelA', 'levelA'],
    notified: ['A.0.alice', 'A.0.bob'],
    withdrawn: [],
    statuses: { 'A.0.alice': 'rejected', 'A.0.bob': 'pending' },
    armed: ['levelA'],
  },
  // A reject from someone who was not notified changes nothing.
  {
    name: 'a reject by a stranger is ignored',
    groups: { A: ['alice'], B: ['carol'] },
    params: fast,
    commands: [{ respond: 'reject', by: 'mallory' }],
    states: ['levelA', 'levelA'],
    notified: ['A.0.alice'],
    withdrawn: [],
    statuses: { 'A.0.alice': 'pending' },
    armed: ['levelA'],
  },
  // Accept ends the alarm; only bob is still open (alice rejected, carol accepted) and only he is withdrawn.
  {
    name: 'accept by a recipient ends the alarm and withdraws exactly the open notifications',
    groups: AB,
    params: fast,
    commands: [{ respond: 'reject', by: 'alice' }, { timer: 'levelA' }, { respond: 'accept', by: 'carol' }],
    states: ['levelA', 'levelA', 'levelB', 'accepted'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.carol'],
    withdrawn: ['A.0.bob'],
    statuses: { 'A.0.alice': 'rejected', 'A.0.bob': 'withdrawn', 'B.0.carol': 'accepted' },
    armed: [],
    notes: { 3: 'withdrew 1 open notification(s)' },
  },
  // The plan lets anyone accept (guard `accepted` does not check the responder): everything open is withdrawn.
  {
    name: 'accept by anyone, even someone never notified, ends the alarm',
    groups: AB,
    params: fast,
    commands: [{ respond: 'accept', by: 'mallory' }],
    states: ['levelA', 'accepted'],
    notified: ['A.0.alice', 'A.0.bob'],
    withdrawn: ['A.0.alice', 'A.0.bob'],
    statuses: { 'A.0.alice': 'withdrawn', 'A.0.bob': 'withdrawn' },
    armed: [],
  },
  // Nothing is open when alice accepts (her only notification was rejected): no withdraw at all.
  {
    name: 'accept with nothing open withdraws nothing',
    groups: { A: ['alice'], B: [] },
    params: fast,
    commands: [
      { respond: 'reject', by: 'alice' },
      { respond: 'accept', by: 'alice' },
    ],
    states: ['levelA', 'levelB', 'accepted'],
    notified: ['A.0.alice'],
    withdrawn: [],
    statuses: { 'A.0.alice': 'rejected' },
    armed: [],
  },
  // Cancel ends the alarm from level B and withdraws bob and carol (alice had rejected).
  {
    name: 'cancel withdraws every open notification',
    groups: AB,
    params: fast,
    commands: [{ respond: 'reject', by: 'alice' }, { timer: 'levelA' }, { cancel: 'operator' }],
    states: ['levelA', 'levelA', 'levelB', 'cancelled'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.carol'],
    withdrawn: ['A.0.bob', 'B.0.carol'],
    statuses: { 'A.0.alice': 'rejected', 'A.0.bob': 'withdrawn', 'B.0.carol': 'withdrawn' },
    armed: [],
  },
  // An unanswered alarm stays open until cancelled; cancel then withdraws what is still open.
  {
    name: 'cancel of an unanswered alarm withdraws what is still open',
    groups: AB,
    params: fast,
    commands: [{ timer: 'levelA' }, { timer: 'levelB' }, { cancel: 'operator' }],
    states: ['levelA', 'levelB', 'unanswered', 'cancelled'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.carol'],
    withdrawn: ['A.0.alice', 'A.0.bob', 'B.0.carol'],
    statuses: { 'A.0.alice': 'withdrawn', 'A.0.bob': 'withdrawn', 'B.0.carol': 'withdrawn' },
    armed: [],
  },
  // rounds: 2 runs A, B, A, B and then gives up as unanswered, saying so in the protocol.
  {
    name: 'rounds: 2 notifies each level twice, then unanswered',
    groups: AB,
    params: { levelTimeoutMs: 1000, rounds: 2 },
    commands: [{ timer: 'levelA' }, { timer: 'levelB' }, { timer: 'levelA' }, { timer: 'levelB' }],
    states: ['levelA', 'levelB', 'levelA', 'levelB', 'unanswered'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.carol', 'A.1.alice', 'A.1.bob', 'B.1.carol'],
    withdrawn: [],
    statuses: {
      'A.0.alice': 'pending',
      'A.0.bob': 'pending',
      'B.0.carol': 'pending',
      'A.1.alice': 'pending',
      'A.1.bob': 'pending',
      'B.1.carol': 'pending',
    },
    armed: [],
    notes: { 4: 'nobody accepted after the last round' },
  },
  // Without a rounds parameter the plan runs one round.
  {
    name: 'rounds defaults to 1',
    groups: AB,
    params: { levelTimeoutMs: 1000 },
    commands: [{ timer: 'levelA' }, { timer: 'levelB' }],
    states: ['levelA', 'levelB', 'unanswered'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.carol'],
    withdrawn: [],
    statuses: { 'A.0.alice': 'pending', 'A.0.bob': 'pending', 'B.0.carol': 'pending' },
    armed: [],
  },
  // rounds: 3 driven by rejects alone: every level is rejected by all, three times over.
  {
    name: 'rounds: 3 by rejects escalates through three rounds without any timer',
    groups: { A: ['alice'], B: ['carol'] },
    params: { levelTimeoutMs: 1000, rounds: 3 },
    commands: [
      { respond: 'reject', by: 'alice' },
      { respond: 'reject', by: 'carol' },
      { respond: 'reject', by: 'alice' },
      { respond: 'reject', by: 'carol' },
      { respond: 'reject', by: 'alice' },
      { respond: 'reject', by: 'carol' },
    ],
    states: ['levelA', 'levelB', 'levelA', 'levelB', 'levelA', 'levelB', 'unanswered'],
    notified: ['A.0.alice', 'B.0.carol', 'A.1.alice', 'B.1.carol', 'A.2.alice', 'B.2.carol'],
    withdrawn: [],
    statuses: {
      'A.0.alice': 'rejected',
      'B.0.carol': 'rejected',
      'A.1.alice': 'rejected',
      'B.1.carol': 'rejected',
      'A.2.alice': 'rejected',
      'B.2.carol': 'rejected',
    },
    armed: [],
  },
  // An empty group B notifies nobody, records "skipped", and (nobody can reject) waits for its timer.
  {
    name: 'an empty group notifies nobody and records skipped',
    groups: { A: ['alice'], B: [] },
    params: fast,
    commands: [{ timer: 'levelA' }],
    states: ['levelA', 'levelB'],
    notified: ['A.0.alice'],
    withdrawn: [],
    statuses: { 'A.0.alice': 'pending' },
    armed: ['levelB'],
    notes: { 1: 'skipped: nobody in group B' },
  },
  // An empty first level: the raise notifies nobody and the alarm waits for the level timer.
  {
    name: 'an empty group A skips to the timer',
    groups: { A: [], B: ['carol'] },
    params: fast,
    commands: [{ timer: 'levelA' }],
    states: ['levelA', 'levelB'],
    notified: ['B.0.carol'],
    withdrawn: [],
    statuses: { 'B.0.carol': 'pending' },
    armed: ['levelB'],
    notes: { 0: 'skipped: nobody in group A' },
  },
  // alice is in A and B: level B notifies her again (a new id); her reject answers the newest one,
  // which ends level B; her later accept answers the older A notification, and bob is withdrawn.
  {
    name: 'the same user in A and B: a response answers her most recent open notification',
    groups: { A: ['alice', 'bob'], B: ['alice'] },
    params: fast,
    commands: [{ timer: 'levelA' }, { respond: 'reject', by: 'alice' }, { respond: 'accept', by: 'alice' }],
    states: ['levelA', 'levelB', 'unanswered', 'accepted'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.alice'],
    withdrawn: ['A.0.bob'],
    statuses: { 'A.0.alice': 'accepted', 'A.0.bob': 'withdrawn', 'B.0.alice': 'rejected' },
    armed: [],
  },
  // alice in A and B accepts in level B: the B notification is accepted, her A notification withdrawn.
  {
    name: 'the same user in A and B accepts in level B',
    groups: { A: ['alice', 'bob'], B: ['alice'] },
    params: fast,
    commands: [{ timer: 'levelA' }, { respond: 'accept', by: 'alice' }],
    states: ['levelA', 'levelB', 'accepted'],
    notified: ['A.0.alice', 'A.0.bob', 'B.0.alice'],
    withdrawn: ['A.0.alice', 'A.0.bob'],
    statuses: { 'A.0.alice': 'withdrawn', 'A.0.bob': 'withdrawn', 'B.0.alice': 'accepted' },
    armed: [],
  },
];

describe('escalate plan (table)', () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const run = new PlanRun(inputOf(s.groups, s.params));
      for (const c of s.commands) assert.ok(run.apply(c), `scenario fires an unarmed timer: ${JSON.stringify(c)}`);
      const actions = run.steps.flatMap((x) => x.result.actions);
      assert.deepEqual(
        run.steps.map((x) => stateKey(x.result.snapshot)),
        s.states,
      );
      assert.deepEqual(ofType(actions, 'tocsin.notify').flatMap(ids), s.notified);
      assert.deepEqual(ofType(actions, 'tocsin.withdraw').flatMap(ids), s.withdrawn);
      assert.deepEqual(Object.fromEntries(notificationsOf(run.last).map((n) => [n.id, n.status])), s.statuses);
      assert.deepEqual(run.armed, s.armed.map(timerEvent));
      const ended = s.states[s.states.length - 1] === 'accepted' || s.states[s.states.length - 1] === 'cancelled';
      assert.equal(run.last.snapshot.status, ended ? 'done' : 'active');
      const n = notes(run);
      for (const [i, text] of Object.entries(s.notes ?? {})) {
        assert.ok(n[Number(i)]?.includes(text), `note ${i} ${JSON.stringify(n[Number(i)])} lacks ${text}`);
      }
    });
  }
});

// ---- properties -------------------------------------------------------------------------

const POOL = ['u1', 'u2', 'u3', 'u4'];
const STRANGERS = ['zed'];

const setup = fc.record({
  A: fc.subarray(POOL),
  B: fc.subarray(POOL),
  rounds: fc.integer({ min: 1, max: 4 }),
  levelTimeoutMs: fc.integer({ min: 1, max: 7 * 24 * 3600_000 }),
});

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      respond: fc.constantFrom('accept' as const, 'reject' as const),
      by: fc.constantFrom(...POOL, ...STRANGERS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ cancel: fc.constantFrom('operator', ...POOL) }) },
  { weight: 4, arbitrary: fc.record({ timer: fc.constantFrom<Level>('levelA', 'levelB') }) },
);
// Timers and responses outweigh cancels, so that many runs reach later rounds before they end.
const commands = fc.array(command, { maxLength: 40 });

interface Setup {
  readonly A: string[];
  readonly B: string[];
  readonly rounds: number;
  readonly levelTimeoutMs: number;
}

const runOf = (s: Setup) =>
  new PlanRun(inputOf({ A: s.A, B: s.B }, { levelTimeoutMs: s.levelTimeoutMs, rounds: s.rounds }));

/**
 * Notifications still awaiting an answer, kept from the actions alone (not from the plan's
 * context): notify opens them, withdraw closes them, and a response answers the responder's
 * most recently opened one (the plan's documented rule).
 */
class OpenModel {
  private readonly open: { id: string; user: string }[] = [];

  get ids(): string[] {
    return this.open.map((n) => n.id);
  }

  respond(user: string): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (this.open[i]!.user === user) {
        this.open.splice(i, 1);
        return;
      }
    }
  }

  /** Applies a step's actions in order. */
  actions(actions: readonly PlanAction[]): void {
    for (const a of actions) {
      const p = a.params as { notifications?: { id: string; user: string }[] } | undefined;
      if (a.type === 'tocsin.notify') this.open.push(...p!.notifications!);
      if (a.type === 'tocsin.withdraw') {
        const gone = new Set(p!.notifications!.map((n) => n.id));
        for (let i = this.open.length - 1; i >= 0; i--) if (gone.has(this.open[i]!.id)) this.open.splice(i, 1);
      }
    }
  }
}

describe('escalate plan (properties)', () => {
  it('(a) no event sequence throws', () => {
    fc.assert(
      fc.property(setup, commands, (s, cs) => {
        const run = runOf(s);
        for (const c of cs) run.apply(c);
      }),
      { numRuns: 300 },
    );
  });

  it('(b) accept or cancel ends the alarm at once; after that no step notifies (or does anything)', () => {
    fc.assert(
      fc.property(setup, commands, (s, cs) => {
        const run = runOf(s);
        let endedAt = -1;
        for (const c of cs) {
          const active = endedAt < 0;
          if (!run.apply(c)) continue;
          // An accept or a cancel of a running alarm ends it, in that very step.
          if (active && ('cancel' in c || ('respond' in c && c.respond === 'accept'))) {
            assert.equal(run.last.snapshot.status, 'done', `${JSON.stringify(c)} did not end the alarm`);
            endedAt = run.steps.length - 1;
          } else if (active) assert.equal(run.last.snapshot.status, 'active');
        }
        if (endedAt < 0) return;
        for (const step of run.steps.slice(endedAt + 1)) {
          assert.equal(ofType(step.result.actions, 'tocsin.notify').length, 0);
          assert.deepEqual(step.result.actions, []);
          assert.equal(step.result.snapshot.status, 'done');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('(c) ending by accept or cancel withdraws exactly the notifications still open', () => {
    fc.assert(
      fc.property(setup, commands, (s, cs) => {
        const run = runOf(s);
        const model = new OpenModel();
        model.actions(run.last.actions);
        for (const c of cs) {
          const wasEnded = run.ended;
          if (!run.apply(c)) continue;
          if (!wasEnded && 'respond' in c) model.respond(c.by);
          const expected = model.ids; // open before this step's own effects
          const { actions, snapshot } = run.last;
          const withdraws = ofType(actions, 'tocsin.withdraw');
          if (!wasEnded && run.ended) {
            assert.deepEqual(withdraws.flatMap(ids).sort(), [...expected].sort());
            assert.equal(withdraws.length, expected.length === 0 ? 0 : 1);
          } else {
            assert.deepEqual(withdraws, [], 'a withdraw without the alarm ending');
          }
          model.actions(actions);
          // The plan's own bookkeeping agrees with the model after every step.
          const pending = (snapshot.context.notifications as PlanNotification[]).filter((n) => n.status === 'pending');
          assert.deepEqual(pending.map((n) => n.id).sort(), [...model.ids].sort());
        }
        if (run.ended) assert.deepEqual(model.ids, []);
      }),
      { numRuns: 300 },
    );
  });

  it('(d) never more than rounds × (|A| + |B|) notifications', () => {
    fc.assert(
      fc.property(setup, commands, (s, cs) => {
        const run = runOf(s);
        for (const c of cs) run.apply(c);
        const sent = run.steps.flatMap((x) => ofType(x.result.actions, 'tocsin.notify').flatMap(ids));
        assert.ok(sent.length <= s.rounds * (s.A.length + s.B.length), `${sent.length} notifications`);
        assert.equal(new Set(sent).size, sent.length, 'a notification id was reused');
      }),
      { numRuns: 300 },
    );
  });

  it('(d′) with only timers the plan sends exactly rounds × (|A| + |B|) and ends unanswered', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const run = runOf(s);
        for (let i = 0; i < 2 * s.rounds; i++) assert.ok(run.apply({ timer: i % 2 === 0 ? 'levelA' : 'levelB' }));
        const sent = run.steps.flatMap((x) => ofType(x.result.actions, 'tocsin.notify').flatMap(ids));
        assert.equal(sent.length, s.rounds * (s.A.length + s.B.length));
        assert.equal(stateKey(run.last.snapshot), 'unanswered');
        assert.deepEqual(run.armed, []);
      }),
      { numRuns: 100 },
    );
  });

  it('(e) every delayed raise waits levelTimeoutMs, and at most one level timer is armed', () => {
    fc.assert(
      fc.property(setup, commands, (s, cs) => {
        const run = runOf(s);
        for (const c of cs) run.apply(c);
        for (const step of run.steps) {
          for (const r of ofType(step.result.actions, 'xstate.raise')) {
            assert.equal((r.params as { delay?: unknown }).delay, s.levelTimeoutMs);
          }
          assert.ok(step.armed.length <= 1, `armed: ${step.armed.join(', ')}`);
          const state = stateKey(step.result.snapshot);
          // The armed timer is the current level's; no other state waits on a timer.
          const want = state === 'levelA' || state === 'levelB' ? [timerEvent(state)] : [];
          assert.deepEqual(step.armed, want, `in ${state}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('(f) replay: the same sequence gives identical snapshots and actions', () => {
    fc.assert(
      fc.property(setup, commands, (s, cs) => {
        const first = runOf(s);
        const second = runOf(s);
        for (const c of cs) {
          first.apply(c);
          second.apply(c);
        }
        assert.deepEqual(second.steps, first.steps);
        // And through JSON, as the runtime stores snapshots: each step from the stored snapshot.
        for (let i = 1; i < first.steps.length; i++) {
          const stored = JSON.parse(JSON.stringify(first.steps[i - 1]!.result.snapshot));
          assert.deepEqual(planStep(machine, stored, first.steps[i]!.event!), first.steps[i]!.result);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('escalate plan (group members)', () => {
  // A user listed twice in a group (the config refuses it, but plans must not rely on that)
  // is notified once, and a reject by them counts once.
  it('notifies a user listed twice once', () => {
    const r = planStart(machine, inputOf({ A: ['alice', 'alice', 'bob'], B: ['carol'] }, fast));
    assert.deepEqual(ofType(r.actions, 'tocsin.notify').flatMap(ids), ['A.0.alice', 'A.0.bob']);
    assert.deepEqual(
      notificationsOf(r).map((n) => n.id),
      ['A.0.alice', 'A.0.bob'],
    );
  });
});
