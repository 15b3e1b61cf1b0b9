// machines/plan-simulate.ts against the built-in escalate plan: every scenario fixture in
// test/fixtures/scenarios/ with its exact timeline (states, times, effects), determinism,
// agreement with folding the runtime's pure step by hand, tie-breaking, stop reasons and
// scenario parsing.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtinPlans } from '../../machines/builtin-plans.ts';
import type { PlanInput } from '../../machines/plan-context.ts';
import { createPlanMachine } from '../../machines/plan-machine.ts';
import { parseScenario, simulatePlan, type Scenario, type Timeline } from '../../machines/plan-simulate.ts';
import { planStart, planStep, stateKey, type PlanAction } from '../../machines/plan-step.ts';

const machine = createPlanMachine(builtinPlans.find((p) => p.ref.id === 'escalate')!.definition);
const dir = new URL('../fixtures/scenarios/', import.meta.url);
const load = (name: string): Scenario => parseScenario(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));

const input: PlanInput = {
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
  groups: { A: ['alice', 'bob'], B: ['carol'] },
  params: { levelTimeoutMs: 60_000, rounds: 2 },
};

const A = 'xstate.after.levelTimeout.escalate.levelA';
const B = 'xstate.after.levelTimeout.escalate.levelB';
const notifyA = (round: number) => ({ type: 'notify', group: 'A', round, recipients: ['alice', 'bob'] });
const notifyB = (round: number) => ({ type: 'notify', group: 'B', round, recipients: ['carol'] });
const set = (sendId: string, dueAt: number) => ({ type: 'timer.set', sendId, dueAt });
const cancel = (sendId: string) => ({ type: 'timer.cancel', sendId });
const LOG = { type: 'log', message: 'nobody accepted after the last round; the alarm stays open' };

/** [at, to, effects] per entry, then the end, the notification count and the first notification time. */
type Row = [number, string, object[]];
const table: {
  file: string;
  rows: Row[];
  end: Timeline['end'];
  notifications: number;
}[] = [
  {
    // Every level times out; round 2 ends in 'unanswered', which waits with no timer armed.
    file: 'nobody-answers.json',
    rows: [
      [0, 'levelA', [notifyA(0), set(A, 60_000)]],
      [60_000, 'levelB', [notifyB(0), set(B, 120_000)]],
      [120_000, 'levelA', [notifyA(1), set(A, 180_000)]],
      [180_000, 'levelB', [notifyB(1), set(B, 240_000)]],
      [240_000, 'unanswered', [LOG]],
    ],
    end: { at: 240_000, state: 'unanswered', status: 'active', reason: 'idle' },
    notifications: 6,
  },
  {
    // alice's reject alone changes nothing; bob's completes "all of A rejected": B at once.
    file: 'reject-all-then-b-accepts.json',
    rows: [
      [0, 'levelA', [notifyA(0), set(A, 60_000)]],
      [10_000, 'levelA', []],
      [20_000, 'levelB', [cancel(A), notifyB(0), set(B, 80_000)]],
      [30_000, 'accepted', [cancel(B)]], // nothing open is left to withdraw
    ],
    end: { at: 30_000, state: 'accepted', status: 'done', reason: 'final' },
    notifications: 3,
  },
  {
    // Cancel while B rings: every open notification (both of A, carol) is withdrawn.
    file: 'cancel-mid-way.json',
    rows: [
      [0, 'levelA', [notifyA(0), set(A, 60_000)]],
      [60_000, 'levelB', [notifyB(0), set(B, 120_000)]],
      [90_000, 'cancelled', [cancel(B), { type: 'withdraw', recipients: ['alice', 'bob', 'carol'] }]],
    ],
    end: { at: 90_000, state: 'cancelled', status: 'done', reason: 'final' },
    notifications: 3,
  },
  {
    file: 'accept-at-once.json',
    rows: [
      [0, 'levelA', [notifyA(0), set(A, 60_000)]],
      [0, 'accepted', [cancel(A), { type: 'withdraw', recipients: ['bob'] }]],
    ],
    end: { at: 0, state: 'accepted', status: 'done', reason: 'final' },
    notifications: 1 * 2,
  },
  {
    // DELIVERY_FAILED is recorded as an input with no transition; bob's accept withdraws the rest.
    file: 'delivery-failed-then-late-accept.json',
    rows: [
      [0, 'levelA', [notifyA(0), set(A, 60_000)]],
      [60_000, 'levelB', [notifyB(0), set(B, 120_000)]],
      [70_000, 'levelB', []],
      [120_000, 'levelA', [notifyA(1), set(A, 180_000)]],
      [
        150_000,
        'accepted',
        [cancel(A), { type: 'withdraw', recipients: ['alice', 'bob', 'carol', 'alice'] }], // bob's A.1 is accepted, his A.0 still open
      ],
    ],
    end: { at: 150_000, state: 'accepted', status: 'done', reason: 'final' },
    notifications: 5,
  },
];

describe('simulatePlan: escalate, A=[alice,bob], B=[carol], 60 s, 2 rounds', () => {
  it('has a table row for every fixture (at least 4)', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 4);
    assert.deepEqual(files.sort(), table.map((t) => t.file).sort());
  });

  for (const row of table) {
    it(`${row.file}: exact timeline`, () => {
      const tl = simulatePlan(machine, input, load(row.file));
      assert.deepEqual(
        tl.entries.map((e) => [e.at, e.to, e.effects]),
        row.rows,
      );
      assert.deepEqual(tl.end, row.end);
      assert.equal(tl.notifications, row.notifications);
      assert.equal(tl.firstNotificationAt, 0);
      // from is the previous entry's to
      tl.entries.forEach((e, i) => assert.equal(e.from, i === 0 ? null : tl.entries[i - 1]!.to));
    });

    it(`${row.file}: deterministic and plain JSON`, () => {
      const a = simulatePlan(machine, input, load(row.file));
      const b = simulatePlan(machine, input, load(row.file));
      assert.deepEqual(a, b);
      assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    });

    it(`${row.file}: agrees with folding planStep by hand`, () => {
      const tl = simulatePlan(machine, input, load(row.file));
      const plain = (actions: readonly PlanAction[]) =>
        actions
          .filter((a) => a.type.startsWith('tocsin.'))
          .map((a) => {
            const p = a.params as {
              notifications?: { user: string }[];
              group?: string;
              round?: number;
              message?: string;
            };
            if (a.type === 'tocsin.log') return { type: 'log', message: p.message };
            const recipients = p.notifications!.map((n) => n.user);
            return a.type === 'tocsin.notify'
              ? { type: 'notify', group: p.group, round: p.round, recipients }
              : { type: 'withdraw', recipients };
          });
      let r = planStart(machine, input);
      const folded = [{ to: stateKey(r.snapshot), effects: plain(r.actions) }];
      for (const e of tl.entries.slice(1)) {
        const event =
          e.trigger.kind === 'timer' ? { type: e.trigger.event } : (e.trigger as { event: { type: string } }).event;
        r = planStep(machine, r.snapshot, event);
        folded.push({ to: stateKey(r.snapshot), effects: plain(r.actions) });
      }
      assert.deepEqual(
        tl.entries.map((e) => ({ to: e.to, effects: e.effects.filter((x) => !x.type.startsWith('timer.')) })),
        folded,
      );
      assert.equal(r.snapshot.status, tl.end.status);
    });
  }

  it('events carry raisedAt + t and the scenario triggers name their step', () => {
    const tl = simulatePlan(
      machine,
      { ...input, alarm: { ...input.alarm, raisedAt: 1_000_000 } },
      load('reject-all-then-b-accepts.json'),
    );
    assert.deepEqual(tl.entries[1]!.trigger, {
      kind: 'scenario',
      step: 0,
      event: { type: 'RESPONSE', response: 'reject', by: 'alice', at: 1_010_000 },
    });
    assert.equal(tl.entries[1]!.at, 10_000);
  });

  it('a timer due at the same time as a step fires first', () => {
    const tl = simulatePlan(machine, input, { steps: [{ at: 60_000, event: 'accept', by: 'carol' }] });
    assert.deepEqual(
      tl.entries.map((e) => [e.at, e.trigger.kind, e.to]),
      [
        [0, 'start', 'levelA'],
        [60_000, 'timer', 'levelB'],
        [60_000, 'scenario', 'accepted'],
      ],
    );
  });

  it('steps run in time order (stable), a past step at the current time', () => {
    const tl = simulatePlan(machine, input, {
      steps: [
        { at: 20_000, event: 'reject', by: 'bob' },
        { at: 10_000, event: 'reject', by: 'alice' },
      ],
    });
    assert.deepEqual(
      tl.entries.slice(0, 3).map((e) => [e.at, e.to]),
      [
        [0, 'levelA'],
        [10_000, 'levelA'],
        [20_000, 'levelB'],
      ],
    );
  });

  it('stops at the horizon and after maxSteps, and says so', () => {
    const h = simulatePlan(machine, input, { steps: [] }, { horizonMs: 100_000 });
    assert.deepEqual(h.end, { at: 60_000, state: 'levelB', status: 'active', reason: 'horizon' });
    const m = simulatePlan(machine, input, { steps: [] }, { maxSteps: 2 });
    assert.deepEqual(m.end, { at: 120_000, state: 'levelA', status: 'active', reason: 'maxSteps' });
    assert.equal(m.entries.length, 3);
  });

  it('a late response after the plan came to rest is still applied', () => {
    const tl = simulatePlan(machine, input, { steps: [{ at: 1_000_000, event: 'accept', by: 'alice' }] });
    assert.deepEqual(tl.end, { at: 1_000_000, state: 'accepted', status: 'done', reason: 'final' });
  });

  it('parseScenario names the bad field', () => {
    assert.throws(() => parseScenario({}), /scenario\/steps: must be an array/);
    assert.throws(() => parseScenario({ steps: [{ at: -1, event: 'accept', by: 'x' }] }), /\/steps\/0\/at/);
    assert.throws(() => parseScenario({ steps: [{ at: 1, event: 'ack', by: 'x' }] }), /\/steps\/0\/event/);
    assert.throws(() => parseScenario({ steps: [{ at: 1, event: 'deliveryFailed' }] }), /\/steps\/0\/user/);
    assert.throws(() => parseScenario({ steps: [{ at: 1, event: 'cancel' }] }), /\/steps\/0\/by/);
  });
});

describe('simulatePlan: presence changes', () => {
  // Group A rings; when the last present recipient of the tracked ward leaves, the alarm is
  // forwarded and ends; nobody present at the start forwards at once.
  const presencePlan = createPlanMachine({
    id: 'ward',
    initial: 'check',
    states: {
      check: {
        always: [{ guard: { type: 'nobodyPresent', params: { group: 'ward' } }, target: 'unattended' }, 'ringing'],
      },
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
  });
  const withPresence = (ward: string[]): PlanInput => ({ ...input, presence: { ward } });

  it('parses {at, presence} (event optional) and names bad presence fields', () => {
    const s = parseScenario({
      steps: [
        { at: 5, presence: { group: 'ward', user: 'alice', present: false } },
        { at: 6, event: 'presence', presence: { group: 'ward', user: 'bob', present: true } },
      ],
    });
    assert.deepEqual(s.steps, [
      { at: 5, event: 'presence', presence: { group: 'ward', user: 'alice', present: false } },
      { at: 6, event: 'presence', presence: { group: 'ward', user: 'bob', present: true } },
    ]);
    assert.throws(
      () => parseScenario({ steps: [{ at: 1, presence: 'x' }] }),
      /\/steps\/0\/presence: must be an object/,
    );
    assert.throws(
      () => parseScenario({ steps: [{ at: 1, presence: { user: 'u', present: true } }] }),
      /\/steps\/0\/presence\/group/,
    );
    assert.throws(
      () => parseScenario({ steps: [{ at: 1, presence: { group: 'g', present: true } }] }),
      /\/steps\/0\/presence\/user/,
    );
    assert.throws(
      () => parseScenario({ steps: [{ at: 1, presence: { group: 'g', user: 'u', present: 'yes' } }] }),
      /\/steps\/0\/presence\/present/,
    );
    assert.throws(() => parseScenario({ steps: [{ at: 1, event: 'presence' }] }), /\/steps\/0\/presence/);
  });

  it('delivers PRESENCE events at raisedAt + t; the last one leaving forwards', () => {
    const tl = simulatePlan(
      presencePlan,
      { ...withPresence(['alice', 'bob']), alarm: { ...input.alarm, raisedAt: 1_000 } },
      {
        steps: [
          { at: 10_000, event: 'presence', presence: { group: 'ward', user: 'alice', present: false } },
          { at: 20_000, event: 'presence', presence: { group: 'ward', user: 'bob', present: false } },
        ],
      },
    );
    assert.deepEqual(tl.entries[1]!.trigger, {
      kind: 'scenario',
      step: 0,
      event: { type: 'PRESENCE', group: 'ward', user: 'alice', present: false, at: 11_000 },
    });
    assert.deepEqual(
      tl.entries.map((e) => [e.at, e.to, e.effects.map((x) => x.type)]),
      [
        [0, 'ringing', ['notify']],
        [10_000, 'ringing', []],
        [20_000, 'unattended', ['forward']],
      ],
    );
    assert.deepEqual(tl.entries[2]!.effects, [{ type: 'forward', alarmType: 'charge-nurse', text: 'Fire in cabin 7' }]);
    assert.deepEqual(tl.end, { at: 20_000, state: 'unattended', status: 'done', reason: 'final' });
    // A forward is not a notification.
    assert.equal(tl.notifications, 2);
  });

  it('the initial presence comes from the input: nobody present forwards at the start', () => {
    const tl = simulatePlan(presencePlan, withPresence([]), { steps: [] });
    assert.deepEqual(tl.end, { at: 0, state: 'unattended', status: 'done', reason: 'final' });
    assert.equal(tl.notifications, 0);
    assert.equal(tl.firstNotificationAt, null);
    // An arrival before the last one leaves keeps it ringing.
    const back = simulatePlan(presencePlan, withPresence(['alice']), {
      steps: [
        { at: 1, event: 'presence', presence: { group: 'ward', user: 'bob', present: true } },
        { at: 2, event: 'presence', presence: { group: 'ward', user: 'alice', present: false } },
      ],
    });
    assert.deepEqual(back.end, { at: 2, state: 'ringing', status: 'active', reason: 'idle' });
  });
});

// A scripted delivery failure is the runtime's own DELIVERY event for the user's pending
// notification, so a plan's `deliveryFailed` guard sees it as it would in production.
describe('simulated delivery failures', () => {
  const failover = createPlanMachine({
    id: 'failover',
    initial: 'levelA',
    states: {
      levelA: {
        entry: [{ type: 'notify', params: { group: 'A' } }],
        on: { DELIVERY: [{ guard: 'deliveryFailed', target: 'levelB' }] },
      },
      levelB: { entry: [{ type: 'notify', params: { group: 'B' } }], on: { RESPONSE: 'done' } },
      done: { type: 'final' },
    },
  } as never);

  it('escalates on the failure of a pending notification, and not for a user who has none', () => {
    const t = simulatePlan(
      failover,
      input,
      parseScenario({ steps: [{ at: 5000, event: 'deliveryFailed', user: 'bob' }] }),
    );
    const step = t.entries.find((e) => e.at === 5000)!;
    assert.deepEqual(step.trigger, {
      kind: 'scenario',
      step: 0,
      event: {
        type: 'DELIVERY',
        notificationId: 'A.0.bob',
        status: 'failed',
        retryable: false,
        reason: 'simulated',
        at: 5000,
      },
    });
    assert.equal(step.to, 'levelB');
    const none = simulatePlan(
      failover,
      input,
      parseScenario({ steps: [{ at: 5000, event: 'deliveryFailed', user: 'carol' }] }),
    );
    assert.equal(none.end.state, 'levelA', 'carol had no pending notification: the guard is false');
  });
});
