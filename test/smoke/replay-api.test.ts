// Replay over HTTP, the whole app in-process (PGlite in memory, virtual clock): a live alarm
// reproduces; golden histories written into the store replay, and forged ones diverge at the
// forged entry with what the recording says and what the replay computed. What-if runs a set of
// alarms (ids or a time range) under another plan version, bounded (422 past the limit), scoped
// to the caller's environments, and recorded in the access log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forge, GOLDEN_KEY, importGolden, loadGolden } from '../fixtures/golden/import.ts';
import { startHarness, T0, type Harness } from '../support/harness.ts';
import { memoryStore } from '../support/services.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';

const HOUR = 3_600_000;
const LATER = T0 + 200 * HOUR;

let h: Harness;
before(async () => {
  // The corpus's pseudonym key, so that live alarms and golden histories map people alike.
  const { store } = await memoryStore();
  await store.pseudonymKey(GOLDEN_KEY);
  // Live alarms after the golden ones (recorded from T0 + 1 h on, one hour per scenario).
  h = await startHarness({ store, clock: new VirtualClock(LATER) });
  // Golden histories (recorded at T0 + hours with the same groups) next to live alarms.
  await importGolden(h.tocsin.store, loadGolden('escalate--accepted-level-1.json'));
  await importGolden(h.tocsin.store, loadGolden('escalate--all-rejected.json'));
  const escalated = loadGolden('escalate--escalated.json');
  await importGolden(
    h.tocsin.store,
    forge(escalated, 2, (e) => ({ ...e, toState: 'levelA' }), { rehash: true }),
  );
  await importGolden(
    h.tocsin.store,
    forge(loadGolden('escalate--cancelled.json'), 2, (e) => ({ ...e, note: 'edited' }), { rehash: false }),
  );
});
after(async () => {
  await h.stop();
});

const problem = (r: { status: number; headers: Record<string, string> }, status: number) => {
  assert.equal(r.status, status);
  assert.equal(r.headers['content-type'], 'application/problem+json');
};

describe('GET /api/v1/alarms/{id}/replay', () => {
  it('a live alarm reproduces under its pinned plan', async () => {
    const raised = await h.request('POST', '/api/v1/alarms', { type: 'fast', text: 'Smoke', id: 'live-1' });
    assert.equal(raised.status, 201, raised.text);
    await h.request('POST', '/api/v1/alarms/live-1/responses', { response: 'reject', by: 'alice' });
    await h.advance(1000);
    await h.request('POST', '/api/v1/alarms/live-1/responses', { response: 'accept', by: 'carol' });
    const r = await h.request('GET', '/api/v1/alarms/live-1/replay');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { alarmId: 'live-1', plan: 'escalate@1', ok: true, steps: 4 });
  });

  it('a golden history written into the store reproduces', async () => {
    const r = await h.request('GET', '/api/v1/alarms/golden-escalate-accepted-level-1/replay');
    assert.deepEqual(r.json, { alarmId: 'golden-escalate-accepted-level-1', plan: 'escalate@1', ok: true, steps: 2 });
  });

  it('a forged entry whose chain was re-computed diverges at that entry: recorded levelA, replayed levelB', async () => {
    const r = await h.request('GET', '/api/v1/alarms/golden-escalate-escalated/replay');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, false);
    assert.equal(r.json.seq, 2);
    assert.equal(r.json.reason, 'state levelB ≠ recorded levelA');
    assert.equal(r.json.expected.state, 'levelA');
    assert.equal(r.json.actual.state, 'levelB');
    // People by name, as the protocol route shows them: carol was notified on the way to levelB.
    assert.ok(JSON.stringify(r.json.actual.effects).includes('"carol"'), JSON.stringify(r.json.actual));
  });

  it('an altered entry breaks the chain at its seq', async () => {
    const r = await h.request('GET', '/api/v1/alarms/golden-escalate-cancelled/replay');
    assert.deepEqual(r.json, {
      alarmId: 'golden-escalate-cancelled',
      plan: 'escalate@1',
      ok: false,
      seq: 2,
      reason: 'entry altered (hash mismatch)',
      expected: null,
      actual: null,
    });
  });

  it('an unknown alarm is 404, a malformed id 422, as problem+json', async () => {
    problem(await h.request('GET', '/api/v1/alarms/nope/replay'), 404);
    problem(await h.request('GET', '/api/v1/alarms/bad%20id/replay'), 422);
  });
});

describe('GET /api/v1/alarms/{id}/plan', () => {
  /** A token of the admin with only these permissions and environments. */
  const tokenFor = async (permissions: string[], environments: string[]) => {
    const admin = await h.tocsin.store.identity.findUserByLoginKey('admin');
    const { token } = await h.tocsin.auth.issueToken(admin!.id, { name: 'plan-reader', permissions, environments });
    return { authorization: `Bearer ${token}` };
  };

  it('answers the plan the alarm is pinned to, as published, to whoever reads its protocol', async () => {
    const reader = await tokenFor(['operation.protocol'], ['default']);
    const r = await h.request('GET', '/api/v1/alarms/live-1/plan', undefined, reader);
    assert.equal(r.status, 200, r.text);
    const published = (await h.request('GET', '/api/v1/plans/escalate/versions/1')).json.definition;
    assert.deepEqual(r.json, { alarmId: 'live-1', plan: 'escalate@1', definition: published });
    assert.deepEqual(Object.keys(r.json.definition), Object.keys(published), 'in the published key order');
    // Not the plan editor's plans, though.
    problem(await h.request('GET', '/api/v1/plans/escalate/versions/1', undefined, reader), 403);
  });

  it('is 404 for an unknown alarm and one of another environment, 422 for a malformed id, 403 without the protocol', async () => {
    const env = await h.request('PUT', '/api/v1/config/environments/ward-x', { id: 'ward-x', name: 'Ward X' });
    assert.ok(env.status === 201 || env.status === 200, env.text);
    const elsewhere = await tokenFor(['operation.protocol'], ['ward-x']);
    problem(await h.request('GET', '/api/v1/alarms/live-1/plan', undefined, elsewhere), 404);
    problem(await h.request('GET', '/api/v1/alarms/nope/plan'), 404);
    problem(await h.request('GET', '/api/v1/alarms/bad%20id/plan'), 422);
    const viewer = await tokenFor(['operation.alarms.view'], ['default']);
    problem(await h.request('GET', '/api/v1/alarms/live-1/plan', undefined, viewer), 403);
  });
});

describe('POST /api/v1/replay/what-if', () => {
  const WHAT_IF = '/api/v1/replay/what-if';
  let faster: string;
  before(async () => {
    // A while later (what-if reports nothing an alternative would do after the present).
    await h.advance(10_000);
    // escalate with a 400 ms level A instead of the alarm type's levelTimeoutMs (1000 ms for `fast`).
    const def = (await h.request('GET', '/api/v1/plans/escalate/versions/1')).json.definition;
    def.id = 'escalate-faster';
    def.states.levelA.after = { 400: { target: 'levelB' } };
    const r = await h.request('POST', '/api/v1/plans', { plan: def });
    assert.equal(r.status, 201, r.text);
    faster = `escalate-faster@${r.json.version}`;
  });

  it('by ids: level B would have been called 600 ms earlier; the same accept ends it', async () => {
    const r = await h.request('POST', WHAT_IF, {
      plan: faster,
      alarms: ['live-1', 'golden-escalate-accepted-level-1'],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.plan, faster);
    const [live, golden] = r.json.alarms;
    // live-1: alice rejected at +0 (levelA stays, bob open), carol notified by the timer at +1000, accepted at +1000.
    assert.equal(live.alarmId, 'live-1');
    assert.equal(live.plan, 'escalate@1');
    assert.deepEqual(
      live.differences.filter((d: { kind: string }) => d.kind === 'notified-at-another-time'),
      [{ kind: 'notified-at-another-time', recipient: 'carol', recordedAt: 1000, alternativeAt: 400 }],
    );
    assert.equal(live.alternative.end.state, 'accepted');
    // The golden alarm was accepted at +250 by alice: nothing differs.
    assert.equal(golden.changed, false);
    assert.deepEqual(golden.differences, []);
    assert.deepEqual(r.json.summary, {
      alarms: 2,
      changed: 1,
      unchanged: 1,
      failed: 0,
      recordedNotifications: live.recorded.notifications.length + 2,
      alternativeNotifications: live.alternative.notifications.length + 2,
      endStateChanged: 0,
    });
    const log = (await h.tocsin.store.accessLog.list({ action: 'replay.what-if', limit: 1, order: 'desc' }))[0];
    assert.equal(log?.target, `plan/${faster}`);
    assert.deepEqual(log?.details, { alarms: 2, changed: 1 });
  });

  it('by time range: the alarms raised in [from, to), oldest first; forged ones are reported, not replayed', async () => {
    const from = new Date(T0).toISOString();
    const to = new Date(T0 + 300 * HOUR).toISOString();
    const r = await h.request('POST', WHAT_IF, { plan: 'escalate@1', from, to });
    assert.equal(r.status, 200, r.text);
    const ids = r.json.alarms.map((a: { alarmId: string }) => a.alarmId);
    assert.deepEqual(ids, [
      'golden-escalate-accepted-level-1', // T0 + 1 h (record.ts: one hour per scenario)
      'golden-escalate-escalated',
      'golden-escalate-all-rejected',
      'golden-escalate-cancelled',
      'live-1', // T0 + 200 h
    ]);
    const [accepted, escalated, allRejected, cancelled, live] = r.json.alarms;
    // Altered: the chain breaks. Altered and re-hashed: the recording does not reproduce.
    assert.match(cancelled.error, /the protocol does not verify at seq 2: entry altered/);
    assert.match(escalated.error, /does not reproduce under escalate@1 at seq 2: state levelB ≠ recorded levelA/);
    // Under its own plan, every other alarm comes out as recorded.
    for (const a of [accepted, allRejected, live]) assert.deepEqual(a.differences, [], a.alarmId);
    assert.deepEqual(r.json.summary, {
      alarms: 5,
      changed: 0,
      unchanged: 3,
      failed: 2,
      recordedNotifications: 2 + 6 + 3,
      alternativeNotifications: 2 + 6 + 3,
      endStateChanged: 0,
    });
  });

  it('a range holding more alarms than the limit is 422, and so is bad input; unknown plans and alarms are 404', async () => {
    const range = { from: new Date(T0).toISOString(), to: new Date(T0 + 300 * HOUR).toISOString() };
    const tooMany = await h.request('POST', WHAT_IF, { plan: 'escalate@1', ...range, limit: 2 });
    problem(tooMany, 422);
    assert.match(tooMany.json.errors[0].reason, /holds more than the limit of 2 alarms/);
    for (const body of [
      { plan: 'escalate', alarms: ['live-1'] },
      { plan: 'escalate@1' },
      { plan: 'escalate@1', alarms: ['live-1'], ...range },
      { plan: 'escalate@1', from: range.from },
      { plan: 'escalate@1', from: range.to, to: range.from },
      { plan: 'escalate@1', ...range, limit: 501 },
      { plan: 'escalate@1', alarms: [] },
      { plan: 'escalate@1', alarms: ['live-1'], extra: 1 },
    ]) {
      problem(await h.request('POST', WHAT_IF, body), 422);
    }
    problem(await h.request('POST', WHAT_IF, { plan: 'escalate@99', alarms: ['live-1'] }), 404);
    problem(await h.request('POST', WHAT_IF, { plan: 'escalate@1', alarms: ['live-1', 'nope'] }), 404);
  });

  it('needs operation.protocol, like the protocol itself', async () => {
    const admin = await h.tocsin.store.identity.findUserByLoginKey('admin');
    const { token } = await h.tocsin.auth.issueToken(admin!.id, {
      name: 'replay-viewer',
      permissions: ['operation.alarms.view'],
      environments: admin!.environments,
    });
    const auth = { authorization: `Bearer ${token}` };
    problem(await h.request('GET', '/api/v1/alarms/live-1/replay', undefined, auth), 403);
    problem(await h.request('POST', WHAT_IF, { plan: 'escalate@1', alarms: ['live-1'] }, auth), 403);
  });
});
