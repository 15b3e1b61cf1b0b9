// The whole app in-process (PGlite in memory, in-process scheduler, loopback notifier) on a
// virtual clock: the built-in escalation plan end to end through the HTTP API.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PlanCatalog } from '../../src/runtime/plan-catalog.ts';
import { replay } from '../../src/runtime/replay.ts';
import { pseudonymsIn } from '../../src/runtime/pseudonyms.ts';
import { verifyChain } from '../../src/runtime/protocol-hash.ts';
import { startHarness, T0, type Harness } from '../support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function raise(type = 'fast', text = 'Fire in cabin 7') {
  const r = await h.request('POST', '/api/v1/alarms', { type, text, location: 'Deck 3' });
  assert.equal(r.status, 201, r.text);
  return r.json.id as string;
}
const sent = () => h.notifier.deliveries.filter((d) => d.op === 'send').map((d) => d.recipient);
const withdrawn = () =>
  h.notifier.deliveries
    .filter((d) => d.op === 'withdraw')
    .map((d) => d.recipient)
    .sort();

describe('built-in escalation plan', () => {
  it('notifies group A at once and arms the level timer at raise time + timeout', async () => {
    const id = await raise();
    assert.deepEqual(sent(), ['alice', 'bob']);
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.state, 'levelA');
    assert.deepEqual(
      a.pendingTimers.map((t: any) => t.dueAt),
      [new Date(T0 + 1000).toISOString()],
    );
    assert.deepEqual(
      a.recipients.map((r: any) => [r.recipient, r.status]),
      [
        ['alice', 'sent'],
        ['bob', 'sent'],
      ],
    );
  });

  it('escalates to group B when nobody accepts within the timeout, not a millisecond before', async () => {
    const id = await raise();
    await h.advance(999);
    assert.deepEqual(sent(), ['alice', 'bob']);
    await h.advance(1);
    assert.deepEqual(sent(), ['alice', 'bob', 'carol']);
    const p = (await h.request('GET', `/api/v1/alarms/${id}/protocol`)).json;
    const timerEntry = p.entries.find((e: any) => e.kind === 'timer');
    assert.equal(timerEntry.lateMs, 0);
    assert.equal(timerEntry.toState, 'levelB');
  });

  it('escalates at once when every recipient of the level rejects', async () => {
    const id = await raise();
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'reject', by: 'alice' });
    assert.deepEqual(sent(), ['alice', 'bob']);
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'reject', by: 'bob' });
    assert.deepEqual(sent(), ['alice', 'bob', 'carol']);
    const p = (await h.request('GET', `/api/v1/alarms/${id}/protocol`)).json;
    assert.match(p.entries[2].note, /allRejected=true/);
  });

  it('the first accept ends the alarm, withdraws open notifications, and nothing notifies afterwards', async () => {
    const id = await raise();
    await h.advance(1000); // B notified
    const r = await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'accept', by: 'carol' });
    assert.equal(r.status, 202);
    assert.deepEqual(withdrawn(), ['alice', 'bob']);
    await h.advance(60_000);
    assert.equal(sent().length, 3);
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.status, 'ended');
    assert.equal(a.state, 'accepted');
    assert.deepEqual(a.pendingTimers, []);
    const late = await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'accept', by: 'bob' });
    assert.equal(late.status, 409);
    assert.equal(late.headers['content-type'], 'application/problem+json');
  });

  it('cancel ends the alarm and withdraws every open notification', async () => {
    const id = await raise();
    const r = await h.request('POST', `/api/v1/alarms/${id}/cancel`, { by: 'alice', reason: 'false alarm' });
    assert.equal(r.status, 202);
    assert.deepEqual(withdrawn(), ['alice', 'bob']);
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.state, 'cancelled');
    assert.deepEqual(
      a.recipients.map((x: any) => x.status),
      ['withdrawn', 'withdrawn'],
    );
  });

  it('repeats the round up to `rounds` times, then stays open as unanswered', async () => {
    const id = await raise(); // fast: 3 rounds of A then B
    for (let i = 0; i < 6; i++) await h.advance(1000);
    assert.equal(sent().length, 9);
    await h.advance(3_600_000);
    assert.equal(sent().length, 9);
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.state, 'unanswered');
    assert.equal(a.status, 'active');
    const r = await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'accept', by: 'carol' });
    assert.equal(r.status, 202);
  });

  it('records a hash-chained protocol that replays exactly under the pinned plan', async () => {
    const id = await raise();
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'reject', by: 'alice' });
    await h.advance(1000);
    await h.advance(1000);
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'accept', by: 'bob' });
    const entries = await h.tocsin.store.listProtocol(id);
    assert.deepEqual(verifyChain(entries), { ok: true });
    const alarm = await h.tocsin.store.getAlarm(id);
    const machine = await new PlanCatalog(h.tocsin.store).machine(alarm!.plan);
    // Pseudonyms resolved (issue 4, item 10), the replay runs over the values as the alarm did.
    const r = replay(machine, entries, 'loopback', await h.tocsin.store.resolvePseudonyms(pseudonymsIn(entries)));
    assert.equal(r.ok, true, JSON.stringify(r));
    if (r.ok) assert.deepEqual(r.snapshot, alarm!.snapshot);
  });
});
