// The OM AXI link state machine (adapters/dect/dect-link.ts), table-tested: each row is a
// sequence of inputs from the initial state and the phase and effects it must end with. Then
// fast-check drives random input sequences and checks the invariants the transport relies on:
// the right timer is armed in every phase, nothing is armed once stopped, a reconnect never
// comes sooner than the back-off (and never sooner than the login-refused wait after a refused
// Open), a connect is issued only when no socket is open or opening, and link-down is reported
// once per outage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  backoffMs,
  DEFAULT_LINK_POLICY,
  INITIAL_LINK,
  linkStep,
  type LinkEffect,
  type LinkInput,
  type LinkState,
  type LinkTimer,
} from '../../adapters/dect/dect-link.ts';

const P = DEFAULT_LINK_POLICY;

function run(inputs: readonly LinkInput[], from: LinkState = INITIAL_LINK) {
  let state = from;
  let last: readonly LinkEffect[] = [];
  const all: LinkEffect[] = [];
  for (const i of inputs) {
    const step = linkStep(state, i, P);
    state = step.state;
    last = step.effects;
    all.push(...step.effects);
  }
  return { state, last, all };
}

const up: LinkInput[] = [{ type: 'start' }, { type: 'connected' }, { type: 'open-ok' }, { type: 'subscribe-ok' }];
const closed = (reason = 'reset'): LinkInput => ({ type: 'closed', reason });
const timer = (t: LinkTimer): LinkInput => ({ type: 'timer', timer: t });

describe('the AXI link: table', () => {
  const rows: { name: string; inputs: LinkInput[]; phase: LinkState['phase']; effects: LinkEffect[] }[] = [
    { name: 'start connects', inputs: [{ type: 'start' }], phase: 'connecting', effects: [{ kind: 'connect' }] },
    {
      name: 'connected: Open first, under the response timer',
      inputs: [{ type: 'start' }, { type: 'connected' }],
      phase: 'opening',
      effects: [
        { kind: 'send', what: 'open' },
        { kind: 'arm', timer: 'response', ms: P.responseTimeoutMs },
      ],
    },
    {
      name: 'Open accepted: subscribe',
      inputs: [{ type: 'start' }, { type: 'connected' }, { type: 'open-ok' }],
      phase: 'subscribing',
      effects: [
        { kind: 'send', what: 'subscribe' },
        { kind: 'arm', timer: 'response', ms: P.responseTimeoutMs },
      ],
    },
    {
      name: 'subscribed: up, ping timer, link-up, reconcile',
      inputs: up,
      phase: 'up',
      effects: [
        { kind: 'disarm', timer: 'response' },
        { kind: 'arm', timer: 'ping', ms: P.pingEveryMs },
        { kind: 'supervision', event: 'link-up', detail: 'opened and subscribed' },
        { kind: 'reconcile' },
      ],
    },
    {
      name: 'bad credentials: login-refused, link-down, close, and a wait of at least loginRefusedMinMs',
      inputs: [{ type: 'start' }, { type: 'connected' }, { type: 'open-refused', errCode: 'EAuth' }],
      phase: 'waiting',
      effects: [
        { kind: 'supervision', event: 'login-refused', detail: 'EAuth' },
        { kind: 'close', reason: 'login refused (EAuth)' },
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'supervision', event: 'link-down', detail: 'login refused (EAuth)' },
        { kind: 'arm', timer: 'reconnect', ms: P.loginRefusedMinMs },
      ],
    },
    {
      name: 'a refused subscription: supervision, close, back-off',
      inputs: [
        { type: 'start' },
        { type: 'connected' },
        { type: 'open-ok' },
        { type: 'subscribe-refused', errCode: 'EPerm', eventType: 'AlarmTrigger' },
      ],
      phase: 'waiting',
      effects: [
        { kind: 'supervision', event: 'subscription-refused', detail: 'EPerm for AlarmTrigger' },
        { kind: 'close', reason: 'subscription refused (EPerm for AlarmTrigger)' },
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'supervision', event: 'link-down', detail: 'subscription refused (EPerm for AlarmTrigger)' },
        { kind: 'arm', timer: 'reconnect', ms: P.backoff.baseMs },
      ],
    },
    {
      name: 'no answer to Open: close and back off',
      inputs: [{ type: 'start' }, { type: 'connected' }, timer('response')],
      phase: 'waiting',
      effects: [
        { kind: 'close', reason: `no answer to Open in ${P.responseTimeoutMs} ms` },
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'supervision', event: 'link-down', detail: `no answer to Open in ${P.responseTimeoutMs} ms` },
        { kind: 'arm', timer: 'reconnect', ms: P.backoff.baseMs },
      ],
    },
    {
      name: 'ping while up',
      inputs: [...up, timer('ping')],
      phase: 'up',
      effects: [
        { kind: 'send', what: 'ping' },
        { kind: 'arm', timer: 'ping', ms: P.pingEveryMs },
      ],
    },
    { name: 'a PingResp clears it', inputs: [...up, timer('ping'), { type: 'pong' }], phase: 'up', effects: [] },
    {
      name: 'a Ping unanswered at the next one closes the link',
      inputs: [...up, timer('ping'), timer('ping')],
      phase: 'waiting',
      effects: [
        { kind: 'close', reason: `no PingResp within ${P.pingEveryMs} ms` },
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'supervision', event: 'link-down', detail: `no PingResp within ${P.pingEveryMs} ms` },
        { kind: 'arm', timer: 'reconnect', ms: P.backoff.baseMs },
      ],
    },
    {
      name: 'the socket closes while up: no close effect (it is gone), link-down, back-off',
      inputs: [...up, closed()],
      phase: 'waiting',
      effects: [
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'supervision', event: 'link-down', detail: 'reset' },
        { kind: 'arm', timer: 'reconnect', ms: P.backoff.baseMs },
      ],
    },
    {
      name: 'the reconnect timer connects again',
      inputs: [...up, closed(), timer('reconnect')],
      phase: 'connecting',
      effects: [{ kind: 'connect' }],
    },
    {
      name: 'a second failure in the same outage doubles the wait and reports no second link-down',
      inputs: [...up, closed(), timer('reconnect'), closed('ECONNREFUSED')],
      phase: 'waiting',
      effects: [
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'arm', timer: 'reconnect', ms: 2 * P.backoff.baseMs },
      ],
    },
    {
      name: 'after a reconnect the link opens and subscribes again, and reconciles',
      inputs: [
        ...up,
        closed(),
        timer('reconnect'),
        { type: 'connected' },
        { type: 'open-ok' },
        { type: 'subscribe-ok' },
      ],
      phase: 'up',
      effects: [
        { kind: 'disarm', timer: 'response' },
        { kind: 'arm', timer: 'ping', ms: P.pingEveryMs },
        { kind: 'supervision', event: 'link-up', detail: 'opened and subscribed' },
        { kind: 'reconcile' },
      ],
    },
    {
      name: 'stop disarms everything and closes; later inputs change nothing',
      inputs: [...up, { type: 'stop' }],
      phase: 'stopped',
      effects: [
        { kind: 'disarm', timer: 'response' },
        { kind: 'disarm', timer: 'ping' },
        { kind: 'disarm', timer: 'reconnect' },
        { kind: 'close', reason: 'stopped' },
      ],
    },
    {
      name: 'a response in the wrong phase is ignored (an OpenResp while up)',
      inputs: [...up, { type: 'open-refused', errCode: 'EAuth' }],
      phase: 'up',
      effects: [],
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const { state, last } = run(r.inputs);
      assert.equal(state.phase, r.phase);
      assert.deepEqual(last, r.effects);
    });
  }

  it('back-off doubles from baseMs and stops at maxMs', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 50].map((f) => backoffMs(f, P)),
      [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000],
    );
  });

  it('nothing happens after stop', () => {
    const stopped = run([...up, { type: 'stop' }]).state;
    for (const i of [...up, closed(), timer('reconnect'), timer('ping'), timer('response')])
      assert.deepEqual(linkStep(stopped, i, P), { state: stopped, effects: [] });
  });
});

const inputArb: fc.Arbitrary<LinkInput> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<LinkInput>({ type: 'start' }) },
  { weight: 1, arbitrary: fc.constant<LinkInput>({ type: 'stop' }) },
  { weight: 5, arbitrary: fc.constant<LinkInput>({ type: 'connected' }) },
  { weight: 4, arbitrary: fc.constantFrom('reset', 'ECONNREFUSED', 'overflow').map((reason) => closed(reason)) },
  { weight: 5, arbitrary: fc.constant<LinkInput>({ type: 'open-ok' }) },
  { weight: 2, arbitrary: fc.constant<LinkInput>({ type: 'open-refused', errCode: 'EAuth' }) },
  { weight: 5, arbitrary: fc.constant<LinkInput>({ type: 'subscribe-ok' }) },
  { weight: 1, arbitrary: fc.constant<LinkInput>({ type: 'subscribe-refused', errCode: 'EPerm' }) },
  { weight: 3, arbitrary: fc.constant<LinkInput>({ type: 'pong' }) },
  { weight: 6, arbitrary: fc.constantFrom<LinkTimer>('response', 'ping', 'reconnect').map(timer) },
);

describe('the AXI link: invariants over random inputs', () => {
  it('timers, back-off, connects and link-down reports stay consistent', () => {
    fc.assert(
      fc.property(fc.array(inputArb, { maxLength: 200 }), (inputs) => {
        let s = INITIAL_LINK;
        const armed = new Set<LinkTimer>();
        let socket: 'none' | 'opening' | 'open' = 'none';
        let downSinceUp = 0;
        for (const input of [{ type: 'start' } as LinkInput, ...inputs]) {
          // The transport only reports what can happen: `connected` answers a connect.
          if (input.type === 'connected' && socket !== 'opening') continue;
          if (input.type === 'closed' && socket === 'none') continue;
          if (input.type === 'timer' && !armed.has(input.timer)) continue;
          if (input.type === 'timer') armed.delete(input.timer);
          if (input.type === 'connected') socket = 'open';
          if (input.type === 'closed') socket = 'none';
          const step = linkStep(s, input, P);
          for (const e of step.effects) {
            if (e.kind === 'connect') {
              assert.equal(socket, 'none', 'a connect only with no socket');
              socket = 'opening';
            }
            if (e.kind === 'close') socket = 'none';
            if (e.kind === 'arm') {
              armed.add(e.timer);
              if (e.timer === 'reconnect') {
                assert.ok(e.ms >= P.backoff.baseMs && e.ms <= Math.max(P.backoff.maxMs, P.loginRefusedMinMs));
                if (input.type === 'open-refused') assert.ok(e.ms >= P.loginRefusedMinMs, 'no tight login loop');
              }
            }
            if (e.kind === 'disarm') armed.delete(e.timer);
            if (e.kind === 'supervision' && e.event === 'link-down') downSinceUp++;
            if (e.kind === 'supervision' && e.event === 'link-up') downSinceUp = 0;
          }
          s = step.state;
          assert.ok(downSinceUp <= 1, 'link-down once per outage');
          const want: Record<LinkState['phase'], LinkTimer[]> = {
            idle: [],
            connecting: [],
            opening: ['response'],
            subscribing: ['response'],
            up: ['ping'],
            waiting: ['reconnect'],
            stopped: [],
          };
          assert.deepEqual([...armed].sort(), want[s.phase], `armed in ${s.phase}`);
          if (s.phase === 'stopped' || s.phase === 'waiting') assert.equal(socket, 'none');
          if (s.phase === 'up' || s.phase === 'opening' || s.phase === 'subscribing') assert.equal(socket, 'open');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
