// The alarm timeline's model (src/web/timeline/timeline-model.ts): lanes from an alarm and its
// protocol, positions on the axis, the recorded states and the partial plan for the statechart;
// and the console's page of one alarm, `/alarms/{id}` (src/web/console-pages.ts), served and
// routed by its id.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONSOLE_PATHS, landingPage, mayOpen, pageAt, pathParam } from '../../src/web/console-pages.ts';
import { flatStates, planChart } from '../../src/web/plans/plan-chart.ts';
import {
  buildTimeline,
  effectText,
  hasStates,
  position,
  recipientOf,
  statePaths,
  transitionEvent,
  visitedPlan,
  type AlarmDetail,
  type ProtocolStep,
} from '../../src/web/timeline/timeline-model.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const step = (seq: number, ms: number, p: Partial<ProtocolStep>): ProtocolStep => ({
  seq,
  at: iso(ms),
  kind: 'event',
  event: {},
  fromState: null,
  toState: 'levelA',
  guards: [],
  effects: [],
  actor: { kind: 'system', id: 'test' },
  note: '',
  lateMs: null,
  hash: `h${seq}`,
  ...p,
});

const STEPS: ProtocolStep[] = [
  step(1, 0, {
    kind: 'raised',
    event: { type: 'RAISE', text: 'Smoke' },
    toState: 'levelA',
    effects: [
      { type: 'notify', group: 'A', round: 0, recipients: ['alice', 'bob'] },
      { type: 'timer.set', id: 't1', sendId: 'after.levelA', dueAt: T0 + 60_000, delayMs: 60_000 },
    ],
  }),
  step(2, 2_000, {
    event: { type: 'DELIVERY', notificationId: 'A.0.bob', status: 'failed', at: T0 + 2_000 },
    fromState: 'levelA',
    toState: 'levelA',
  }),
  step(3, 5_000, {
    event: { type: 'RESPONSE', by: 'alice', response: 'reject', at: T0 + 5_000 },
    fromState: 'levelA',
    toState: 'levelA',
    guards: [{ guard: 'accepted', result: false }],
  }),
  step(4, 60_012, {
    kind: 'timer',
    event: { type: 'after.levelA' },
    fromState: 'levelA',
    toState: 'levelB',
    lateMs: 12,
    effects: [{ type: 'notify', group: 'B', round: 0, recipients: ['carol'] }],
  }),
  step(5, 70_000, {
    event: { type: 'RESPONSE', by: 'carol', response: 'accept', at: T0 + 70_000 },
    fromState: 'levelB',
    toState: 'accepted',
    effects: [{ type: 'withdraw', recipients: ['bob'] }],
  }),
];

const ALARM: AlarmDetail = {
  id: 'a1',
  type: 'fire',
  priority: 1,
  text: 'Smoke',
  location: null,
  status: 'ended',
  state: 'accepted',
  plan: { id: 'escalate', version: 1 },
  raisedAt: iso(0),
  endedAt: iso(70_000),
  recipients: [
    {
      notificationId: 'B.0.carol',
      recipient: 'carol',
      status: 'accepted',
      sentAt: iso(60_012),
      deliveredAt: iso(61_000),
      respondedAt: iso(70_000),
      response: 'accept',
    },
  ],
};

describe('alarm timeline model', () => {
  const tl = buildTimeline(ALARM, STEPS, T0 + 999_999);

  it('spans raise to end, with one state segment per state', () => {
    assert.equal(tl.start, T0);
    assert.equal(tl.end, T0 + 70_000);
    assert.deepEqual(
      tl.states.map((s) => [s.state, s.from - T0, s.to - T0, s.seq, s.untilSeq]),
      [
        ['levelA', 0, 60_012, 1, 4],
        ['levelB', 60_012, 70_000, 4, 5],
        ['accepted', 70_000, 70_000, 5, undefined],
      ],
    );
  });

  it('gives each recipient a lane from the effects, the events and the alarm timestamps', () => {
    const lane = (n: string) => tl.recipients.find((r) => r.name === n)!.markers.map((m) => [m.kind, m.at - T0, m.seq]);
    assert.deepEqual(lane('alice'), [
      ['sent', 0, 1],
      ['rejected', 5_000, 3],
    ]);
    assert.deepEqual(lane('bob'), [
      ['sent', 0, 1],
      ['failed', 2_000, 2],
      ['withdrawn', 70_000, 5],
    ]);
    // The delivery receipt is only in the alarm's timestamps: no step.
    assert.deepEqual(lane('carol'), [
      ['sent', 60_012, 4],
      ['delivered', 61_000, undefined],
      ['accepted', 70_000, 5],
    ]);
  });

  it('pairs a timer set with its firing and lateness, and lists the source events', () => {
    assert.equal(tl.timers.length, 1);
    const t = tl.timers[0]!;
    assert.deepEqual(
      [t.sendId, t.setSeq, t.dueAt - T0, t.firedAt! - T0, t.firedSeq, t.lateMs],
      ['after.levelA', 1, 60_000, 60_012, 4, 12],
    );
    assert.deepEqual(
      tl.events.map((e) => [e.seq, e.type, e.label]),
      [
        [1, 'raise', 'Smoke'],
        [2, 'delivery', 'bob: failed'],
        [3, 'response', 'alice: rejected'],
        [4, 'timer', 'after.levelA'],
        [5, 'response', 'carol: accepted'],
      ],
    );
  });

  it('a timer cancelled before it fires, and an active alarm runs to now', () => {
    const active = { ...ALARM, status: 'active' as const, endedAt: null, recipients: [] };
    const steps = [
      STEPS[0]!,
      step(2, 1_000, {
        event: { type: 'CANCEL', by: 'desk' },
        fromState: 'levelA',
        toState: 'cancelled',
        effects: [{ type: 'timer.cancel', sendId: 'after.levelA' }],
      }),
    ];
    const t = buildTimeline(active, steps, T0 + 5_000);
    assert.equal(t.end, T0 + 5_000);
    assert.equal(t.timers[0]!.cancelledSeq, 2);
    assert.equal(t.timers[0]!.firedAt, undefined);
    assert.deepEqual(t.events[1], { seq: 2, at: T0 + 1_000, type: 'cancel', label: 'desk' });
  });

  it('positions in percent, clamped; a zero-length axis puts everything at 0', () => {
    assert.equal(position(tl, T0 + 35_000), 50);
    assert.equal(position(tl, T0 - 1), 0);
    assert.equal(position(tl, T0 + 1e9), 100);
    assert.equal(position({ ...tl, end: tl.start }, T0), 0);
  });

  it('reads recipients from notification ids and summarises effects', () => {
    assert.equal(recipientOf('A.0.alice'), 'alice');
    assert.equal(recipientOf('B.1.first.last'), 'first.last');
    assert.equal(recipientOf('odd'), 'odd');
    assert.equal(effectText({ type: 'notify', group: 'A', recipients: ['alice', 'bob'] }), 'notify A: alice, bob');
    assert.equal(effectText({ type: 'timer.set', sendId: 'x', delayMs: 60_000 }), 'timer.set x (60 s)');
    assert.equal(effectText({ type: 'log', message: 'hi' }), 'log {"message":"hi"}');
  });

  it('reads recorded states as paths: plain, nested and parallel XState values', () => {
    assert.deepEqual(statePaths('levelA'), ['levelA']);
    assert.deepEqual(statePaths('{"escalation":"levelB"}'), ['escalation.levelB']);
    assert.deepEqual(statePaths('{"a":{"b":"c"},"d":"e"}'), ['a.b.c', 'd.e']);
    assert.deepEqual(statePaths('{broken'), ['{broken']);
    assert.deepEqual(statePaths('{}'), ['{}']);
  });

  it('draws the whole plan when it may be read, else a partial plan of what the alarm went through', () => {
    const plan = JSON.parse(readFileSync(new URL('../../machines/plans/escalate.json', import.meta.url), 'utf8'));
    assert.ok(hasStates(plan));
    assert.ok(!hasStates({ nonsense: true }));
    assert.ok(!hasStates(undefined));

    // The visited states as a plan definition: what the plan editor's chart draws.
    const partial = visitedPlan(STEPS, true);
    const chart = planChart(partial);
    assert.deepEqual(
      flatStates(chart.states).map((s) => [s.id, s.kind, s.initial]),
      [
        ['levelA', 'atomic', true],
        ['levelB', 'atomic', false],
        ['accepted', 'final', false],
      ],
    );
    // Self-transitions (a rejection, a failed delivery) draw no edge.
    assert.deepEqual(
      chart.edges.map((e) => [e.from, e.to, e.labels]),
      [
        ['levelA', 'levelB', ['after.levelA']],
        ['levelB', 'accepted', ['RESPONSE']],
      ],
    );
    // An active alarm's last state is not final; the same transition twice is one edge.
    const again = [...STEPS.slice(0, 4), { ...STEPS[3]!, seq: 9, fromState: 'levelB', toState: 'levelA' }];
    const active = planChart(visitedPlan([...again, { ...STEPS[3]!, seq: 10 }], false));
    assert.deepEqual(
      flatStates(active.states).map((s) => s.kind),
      ['atomic', 'atomic'],
    );
    assert.deepEqual(
      active.edges.map((e) => `${e.from}→${e.to}`),
      ['levelA→levelB', 'levelB→levelA'],
    );
    assert.equal(active.edges[0]!.labels.length, 1);
    assert.deepEqual(visitedPlan([], true), { id: 'visited' });
    // A fired timer's XState event is labelled as the plan's chart labels `after` transitions.
    const timer = step(2, 60_000, {
      kind: 'timer',
      event: { type: 'xstate.after.levelTimeout.escalate.levelA' },
      fromState: 'levelA',
      toState: 'levelB',
    });
    assert.equal(transitionEvent(timer), 'after levelTimeout');
    assert.equal(transitionEvent(STEPS[4]!), 'RESPONSE');
    assert.deepEqual(
      planChart(visitedPlan([STEPS[0]!, timer], false)).edges.map((e) => e.labels),
      [['after levelTimeout']],
    );
  });

  it('nests recorded compound and parallel states in the partial plan, transitions between leaves', () => {
    const nested = [
      step(1, 0, { kind: 'raised', event: { type: 'RAISE' }, toState: '{"escalation":"levelA"}' }),
      step(2, 1_000, {
        event: { type: 'TICK' },
        fromState: '{"escalation":"levelA"}',
        toState: '{"escalation":"levelB"}',
      }),
      step(3, 2_000, {
        event: { type: 'SPLIT' },
        fromState: '{"escalation":"levelB"}',
        toState: '{"both":{"x":"x1","y":"y1"}}',
      }),
      step(4, 3_000, {
        event: { type: 'MOVE' },
        fromState: '{"both":{"x":"x1","y":"y1"}}',
        toState: '{"both":{"x":"x2","y":"y1"}}',
      }),
    ];
    const chart = planChart(visitedPlan(nested, false));
    assert.deepEqual(
      flatStates(chart.states).map((s) => [s.id, s.kind, s.initial]),
      [
        ['escalation', 'compound', true],
        ['escalation.levelA', 'atomic', true],
        ['escalation.levelB', 'atomic', false],
        ['both', 'parallel', false],
        ['both.x', 'compound', false],
        ['both.x.x1', 'atomic', false],
        ['both.x.x2', 'atomic', false],
        ['both.y', 'compound', false],
        ['both.y.y1', 'atomic', false],
      ],
    );
    assert.deepEqual(
      chart.edges.map((e) => `${e.from} —${e.labels.join(', ')}→ ${e.to}`),
      [
        'escalation.levelA —TICK→ escalation.levelB',
        'escalation.levelB —SPLIT→ both.x.x1',
        'escalation.levelB —SPLIT→ both.y.y1',
        'both.x.x1 —MOVE→ both.x.x2',
      ],
    );
  });
});

describe('the timeline page of one alarm', () => {
  it('is /alarms/{id}: routed by its id, served by the server, never a landing page by default', () => {
    assert.equal(pageAt('/alarms/abc-123')?.path, '/alarms/:id');
    assert.equal(pathParam('/alarms/abc-123'), 'abc-123');
    assert.equal(pageAt('/alarms/a/b'), undefined);
    assert.equal(pageAt('/alarms/'), undefined);
    assert.equal(pageAt('/alarms/has%20space'), undefined);
    assert.ok(CONSOLE_PATHS.has('/alarms/7b19a94c-c473-47e8-9b08-ee201cab49e4'));
    assert.ok(!CONSOLE_PATHS.has('/alarms/a/b'));
    assert.ok(!CONSOLE_PATHS.has('/alarms/:id'));
    assert.ok(![...CONSOLE_PATHS].some((p) => p.includes(':')));
    const reader = ['operation.alarms.view', 'operation.protocol'];
    assert.equal(landingPage('/alarms/a1', reader), '/alarms/a1');
    assert.equal(landingPage('/alarms/a1', ['operation.alarms.view']), '/board');
    assert.equal(landingPage(undefined, ['operation.protocol']), '/protocol');
  });

  it('a timeline start page still lands next to a page of several permissions (the phones page)', () => {
    // the alarm page needs one permission; the phones page any of two: neither opens the other
    assert.ok(!mayOpen(pageAt('/alarms/a1')!, ['system.phones', 'operation.phones.locating-alert']));
    assert.ok(mayOpen(pageAt('/alarms/a1')!, ['operation.protocol']));
    assert.equal(landingPage('/alarms/a1', ['system.phones']), '/phones');
    assert.equal(landingPage('/alarms/a1', ['system.phones', 'operation.protocol']), '/alarms/a1');
    assert.equal(landingPage('/phones', ['operation.protocol', 'system.phones']), '/phones');
    // a technician with the alarm list too lands on the earlier page: the board
    assert.equal(landingPage(undefined, ['system.phones', 'operation.alarms.view']), '/board');
  });
});
