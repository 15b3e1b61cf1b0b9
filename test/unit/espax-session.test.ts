// The ESPA-X session machine (adapters/espax/espax-session.ts), pure: a table of (state, input)
// → effects, one comment per case: 407 before login, login refused and the third refusal,
// heartbeat supervision, invokeID reuse (450), a wrong or missing sessionID (401), logout,
// 601/602/600 handling, the socket closing, and the server shutting down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EspaxDocument } from '../../adapters/espax/espax-codec.ts';
import {
  DEFAULT_SESSION_CONFIG,
  INITIAL_SESSION,
  sessionStep,
  type SessionEffect,
  type SessionInput,
  type SessionState,
} from '../../adapters/espax/espax-session.ts';

const c = { ...DEFAULT_SESSION_CONFIG, heartbeatTimeoutMs: 30_000, loginTimeoutMs: 20_000, maxBadDocuments: 3 };

const doc = (name: string, invokeId?: string, sessionId?: string, fields: Record<string, string> = {}) =>
  ({ type: 'document', doc: { name, invokeId, sessionId, fields } as EspaxDocument }) as const;
const login = (invokeId = '1', fields = { 'LI-CLIENT': 'ward3', 'LI-USER': 'nurse3', 'LI-PASSWORD': 'secret12' }) =>
  doc('REQ.LOGIN', invokeId, undefined, fields);

const UP: SessionState = {
  phase: 'up',
  sessionId: 'S1',
  client: 'ward3',
  loginFailures: 0,
  badDocuments: 0,
  invokeIds: ['1'],
};

/** Runs inputs from `s`; returns the last state and all effects. */
function run(s: SessionState, ...inputs: SessionInput[]) {
  const effects: SessionEffect[] = [];
  for (const i of inputs) {
    const step = sessionStep(s, i, c);
    s = step.state;
    effects.push(...step.effects);
  }
  return { state: s, effects };
}

/** The sent messages, as `TYPE code` (or `TYPE` when it has none). */
const sent = (effects: readonly SessionEffect[]) =>
  effects.flatMap((e) =>
    e.kind === 'send' ? [`${e.message.type}${'code' in e.message ? ` ${e.message.code}` : ''}`] : [],
  );
const kinds = (effects: readonly SessionEffect[]) => effects.map((e) => e.kind);
const supervision = (effects: readonly SessionEffect[]) =>
  effects.flatMap((e) => (e.kind === 'supervision' ? [e.event] : []));

describe('sessionStep: before login', () => {
  it('arms the login timer when the connection opens', () => {
    assert.deepEqual(run(INITIAL_SESSION, { type: 'open' }).effects, [{ kind: 'arm', ms: 20_000 }]);
  });

  it('answers every request but REQ.LOGIN with its RSP and 407, without a sessionID', () => {
    for (const name of ['REQ.HEARTBEAT', 'REQ.P-START', 'REQ.S-CONDITION', 'REQ.LOGOUT']) {
      const { state, effects } = run(INITIAL_SESSION, doc(name, '5', 'guess'));
      assert.equal(state.phase, 'login');
      assert.deepEqual(sent(effects), [`RSP.${name.slice(4)} 407`]);
      const m = effects[0]!.kind === 'send' ? effects[0]!.message : undefined;
      assert.equal(m && 'sessionId' in m ? m.sessionId : undefined, undefined);
    }
  });

  it('asks for a credentials check on REQ.LOGIN, and answers a second login meanwhile with 409', () => {
    const { state, effects } = run(INITIAL_SESSION, login('1'), login('2'));
    assert.equal(state.phase, 'authenticating');
    assert.deepEqual(effects[0], {
      kind: 'authenticate',
      invokeId: '1',
      client: 'ward3',
      user: 'nurse3',
      password: 'secret12',
    });
    assert.deepEqual(sent(effects), ['RSP.LOGIN 409']);
  });

  it('answers a login without LI-USER with 400 (counted as a failure)', () => {
    const { state, effects } = run(INITIAL_SESSION, login('1', { 'LI-CLIENT': 'x', 'LI-PASSWORD': 'y' } as never));
    assert.deepEqual(sent(effects), ['RSP.LOGIN 400']);
    assert.equal(state.loginFailures, 1);
  });

  it('on accepted credentials: RSP.LOGIN 200 with the sessionID, heartbeat timer, attach, link-up', () => {
    const { state, effects } = run(INITIAL_SESSION, login('1'), {
      type: 'login-result',
      invokeId: '1',
      client: 'ward3',
      sessionId: 'S1',
    });
    assert.equal(state.phase, 'up');
    assert.deepEqual(state.invokeIds, ['1']);
    const rsp = effects.find((e) => e.kind === 'send');
    assert.ok(rsp?.kind === 'send' && rsp.message.type === 'RSP.LOGIN');
    assert.equal(rsp.message.code, 200);
    assert.equal(rsp.message.sessionId, 'S1');
    assert.deepEqual(
      effects.filter((e) => e.kind !== 'send' && e.kind !== 'authenticate'),
      [
        { kind: 'arm', ms: 30_000 },
        { kind: 'attach', client: 'ward3', sessionId: 'S1' },
        { kind: 'supervision', event: 'link-up', detail: 'ward3: logged in' },
      ],
    );
  });

  it('refuses wrong credentials with 401 and login-refused, and closes after the third', () => {
    const refused = { type: 'login-result', invokeId: '1', client: 'ward3', sessionId: undefined } as const;
    const two = run(INITIAL_SESSION, login('1'), refused, login('2'), { ...refused, invokeId: '2' });
    assert.equal(two.state.phase, 'login');
    assert.deepEqual(sent(two.effects), ['RSP.LOGIN 401', 'RSP.LOGIN 401']);
    assert.deepEqual(supervision(two.effects), ['login-refused', 'login-refused']);
    assert.ok(!kinds(two.effects).includes('close'));
    const third = run(two.state, login('3'), { ...refused, invokeId: '3' });
    assert.equal(third.state.phase, 'closed');
    assert.deepEqual(sent(third.effects), ['RSP.LOGIN 401']);
    assert.equal(third.effects.at(-1)?.kind, 'close');
  });

  it('closes a connection that does not log in in time, with no supervision event', () => {
    const { state, effects } = run(INITIAL_SESSION, { type: 'timer' });
    assert.equal(state.phase, 'closed');
    assert.deepEqual(supervision(effects), []);
    assert.equal(effects.at(-1)?.kind, 'close');
  });
});

describe('sessionStep: logged in', () => {
  it('answers REQ.HEARTBEAT with 200 and re-arms the supervision', () => {
    const { effects } = run(UP, doc('REQ.HEARTBEAT', '2', 'S1'));
    assert.deepEqual(sent(effects), ['RSP.HEARTBEAT 200']);
    assert.deepEqual(effects[0], { kind: 'arm', ms: 30_000 });
  });

  it('drops the session when the heartbeat timer fires: detach, heartbeat-missed, close', () => {
    const { state, effects } = run(UP, { type: 'timer' });
    assert.equal(state.phase, 'closed');
    assert.deepEqual(kinds(effects), ['disarm', 'detach', 'supervision', 'close']);
    assert.deepEqual(supervision(effects), ['heartbeat-missed']);
  });

  it('answers a reused invokeID with 450 and does not carry it out (the login invokeID counts)', () => {
    const { effects } = run(UP, doc('REQ.P-START', '1', 'S1'));
    assert.deepEqual(sent(effects), ['RSP.P-START 450']);
    assert.ok(!kinds(effects).includes('request'));
    const twice = run(UP, doc('REQ.HEARTBEAT', '7', 'S1'), doc('REQ.P-STOP', '7', 'S1'));
    assert.deepEqual(sent(twice.effects), ['RSP.HEARTBEAT 200', 'RSP.P-STOP 450']);
  });

  it('forgets invokeIDs beyond the window, so memory stays bounded', () => {
    const many = Array.from({ length: c.rememberInvokeIds + 5 }, (_, i) => doc('REQ.HEARTBEAT', String(100 + i), 'S1'));
    const { state } = run(UP, ...many);
    assert.equal(state.invokeIds.length, c.rememberInvokeIds);
  });

  it('answers a wrong or missing sessionID with 401, and it does not count as a heartbeat', () => {
    for (const sid of ['S2', undefined]) {
      const { effects, state } = run(UP, doc('REQ.HEARTBEAT', '2', sid));
      assert.deepEqual(sent(effects), ['RSP.HEARTBEAT 401']);
      assert.ok(!kinds(effects).includes('arm'));
      assert.deepEqual(state.invokeIds, ['1']);
    }
  });

  it('hands S-CONDITION, P-START, P-STOP and P-GETSTAT to the adapter', () => {
    for (const name of ['REQ.S-CONDITION', 'REQ.P-START', 'REQ.P-STOP', 'REQ.P-GETSTAT']) {
      const { effects } = run(UP, doc(name, '9', 'S1'));
      assert.deepEqual(kinds(effects), ['arm', 'request'], name);
    }
  });

  it('answers REQ.S-PARAMETERS with 501 and a second REQ.LOGIN with 409', () => {
    const { effects } = run(UP, doc('REQ.S-PARAMETERS', '2', 'S1'), login('3'));
    // The second login has no sessionID: 401 first; with the sessionID it is 409.
    assert.deepEqual(sent(effects), ['RSP.S-PARAMETERS 501', 'RSP.LOGIN 401']);
    const again = run(UP, doc('REQ.LOGIN', '4', 'S1', {}));
    assert.deepEqual(sent(again.effects), ['RSP.LOGIN 409']);
  });

  it('logs out: RSP.LOGOUT 200, detach, link-down, close', () => {
    const { state, effects } = run(UP, doc('REQ.LOGOUT', '2', 'S1', { 'LO-REASON': 'Normal' }));
    assert.equal(state.phase, 'closed');
    assert.deepEqual(sent(effects), ['RSP.LOGOUT 200']);
    assert.deepEqual(kinds(effects), ['send', 'disarm', 'detach', 'supervision', 'close']);
    assert.deepEqual(supervision(effects), ['link-down']);
  });

  it('ignores responses and indications from the client (logged)', () => {
    const { effects } = run(UP, doc('RSP.HEARTBEAT', '2', 'S1'), doc('IND.P-SYNC', undefined, 'S1'));
    assert.deepEqual(kinds(effects), ['log', 'log']);
  });

  it('ends on CMD.SHUTDOWN from the client with link-down', () => {
    const { state, effects } = run(UP, doc('CMD.SHUTDOWN', undefined, 'S1'));
    assert.equal(state.phase, 'closed');
    assert.deepEqual(supervision(effects), ['link-down']);
  });
});

describe('sessionStep: bad input and the end', () => {
  it('answers 601 and 602 with IND.ERROR and keeps the connection; the limit in a row closes it', () => {
    const bad = (code: 601 | 602) => ({ type: 'bad-document', code, reason: 'x' }) as const;
    const two = run(UP, bad(601), bad(602));
    assert.deepEqual(sent(two.effects), ['IND.ERROR 601', 'IND.ERROR 602']);
    assert.equal(two.state.phase, 'up');
    // A good document in between resets the count.
    const reset = run(two.state, doc('REQ.HEARTBEAT', '2', 'S1'), bad(601), bad(601));
    assert.equal(reset.state.phase, 'up');
    const third = run(reset.state, bad(601));
    assert.equal(third.state.phase, 'closed');
    assert.deepEqual(supervision(third.effects), ['link-down']);
  });

  it('answers a broken header with IND.ERROR 600 and closes', () => {
    for (const s of [INITIAL_SESSION, UP]) {
      const { state, effects } = run(s, { type: 'framing-error', reason: 'bad magic' });
      assert.equal(state.phase, 'closed');
      assert.deepEqual(sent(effects), ['IND.ERROR 600']);
      assert.equal(effects.at(-1)?.kind, 'close');
      assert.deepEqual(supervision(effects), s === UP ? ['link-down'] : []);
    }
  });

  it('on the socket closing: detach and link-down, no close (it is closed)', () => {
    const { state, effects } = run(UP, { type: 'closed', reason: 'reset' });
    assert.equal(state.phase, 'closed');
    assert.deepEqual(kinds(effects), ['disarm', 'detach', 'supervision']);
  });

  it('on server shutdown: CMD.SHUTDOWN to a logged-in client, then close', () => {
    const { effects } = run(UP, { type: 'shutdown' });
    assert.deepEqual(sent(effects), ['CMD.SHUTDOWN']);
    assert.equal(effects.at(-1)?.kind, 'close');
    assert.deepEqual(sent(run(INITIAL_SESSION, { type: 'shutdown' }).effects), []);
  });

  it('does nothing once closed', () => {
    const closed = run(UP, { type: 'closed', reason: 'x' }).state;
    for (const i of [doc('REQ.HEARTBEAT', '5', 'S1'), { type: 'timer' } as const, { type: 'shutdown' } as const])
      assert.deepEqual(sessionStep(closed, i, c).effects, []);
  });
});
