// A delivery failure is an event: the whole app in-process (PGlite in memory, virtual clock,
// loopback notifier) with a tiny plan that escalates to group B as soon as a notification of
// group A fails for good, long before its 60 s level timeout.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { FileConfigInput } from '../../src/app/config.ts';
import { NOT_PERMITTED } from '../../src/runtime/effect-runner.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';
import { memoryStore, type TestStore } from '../support/services.ts';

const plan = {
  id: 'fail-escalates',
  initial: 'levelA',
  states: {
    levelA: {
      entry: { type: 'notify', params: { group: 'A' } },
      on: {
        DELIVERY: { guard: 'deliveryFailed', target: 'levelB', actions: 'recordDelivery' },
        RESPONSE: { guard: 'accepted', target: 'done', actions: ['recordResponse', 'withdraw'] },
        CANCEL: { target: 'done', actions: 'withdraw' },
      },
      after: { 60000: 'levelB' },
    },
    levelB: {
      entry: { type: 'notify', params: { group: 'B' } },
      on: {
        RESPONSE: { guard: 'accepted', target: 'done', actions: ['recordResponse', 'withdraw'] },
        CANCEL: { target: 'done', actions: 'withdraw' },
      },
    },
    done: { type: 'final' },
  },
};

const file: FileConfigInput = {
  ...testFileConfig,
  alarmTypes: [
    {
      id: 'fragile',
      name: 'Fragile',
      priority: 2,
      plan: { id: 'fail-escalates', version: 1 },
      params: {},
      environment: 'default',
    },
  ],
};

let h: Harness;
let store: TestStore;
beforeEach(async () => {
  store = await memoryStore(); // migrated; the plan must be in it before startTocsin validates alarm types
  await store.store.putPlan({ id: 'fail-escalates', version: 1 }, plan, 0);
  h = await startHarness({ store: store.store, file });
});
afterEach(async () => {
  await h.stop();
  await store.cleanup().catch(() => {});
});

async function raise() {
  const r = await h.request('POST', '/api/v1/alarms', { type: 'fragile', text: 'Pump 2 failed' });
  assert.equal(r.status, 201, r.text);
  return r.json.id as string;
}
const sent = () =>
  h.notifier.deliveries
    .filter((d) => d.op === 'send')
    .map((d) => d.recipient)
    .sort();

describe('delivery failure as an event', () => {
  it('escalates at once when a notification fails for good', async () => {
    h.notifier.failNextSends(1, false); // the first send of group A fails, not retryable
    const id = await raise();
    await h.advance(0);
    assert.equal(sent().length, 2); // one of alice/bob failed; the other and carol were sent
    assert.ok(sent().includes('carol'));
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.state, 'levelB');
    const statuses = Object.fromEntries(a.recipients.map((r: any) => [r.recipient, r.status]));
    assert.equal(statuses.carol, 'sent');
    assert.equal(Object.values(statuses).filter((s) => s === 'failed').length, 1);
    const p = (await h.request('GET', `/api/v1/alarms/${id}/protocol`)).json;
    const entry = p.entries.find((e: any) => e.event?.type === 'DELIVERY');
    assert.equal(entry.kind, 'event');
    assert.equal(entry.fromState, 'levelA');
    assert.equal(entry.toState, 'levelB');
    assert.equal(entry.event.status, 'failed');
    assert.equal(entry.event.retryable, false);
    assert.equal(entry.actor.kind, 'system');
    assert.deepEqual(entry.guards, [{ guard: 'deliveryFailed', result: true }]);
  });

  it('does nothing without failures: the level timer escalates after 60 s', async () => {
    const id = await raise();
    await h.advance(59_999);
    assert.deepEqual(sent(), ['alice', 'bob']);
    await h.advance(1);
    assert.deepEqual(sent(), ['alice', 'bob', 'carol']);
    assert.equal((await h.request('GET', `/api/v1/alarms/${id}`)).json.state, 'levelB');
  });

  it('a Tocsin user whose group lacks "Receive Notifications" is not notified: a failure at once, the plan escalates', async () => {
    const u = await h.request('POST', '/api/v1/users', {
      loginName: 'Alice',
      displayName: 'Alice Viewer',
      userGroup: 'viewer',
      environments: ['default'],
      password: 'alice-Passphrase-31',
    });
    assert.equal(u.status, 201, u.text);
    const id = await raise();
    await h.advance(0);
    // bob is no Tocsin login (a handset user): notified; alice is a viewer: never handed to the notifier.
    assert.deepEqual(sent(), ['bob', 'carol']);
    const a = (await h.request('GET', `/api/v1/alarms/${id}`)).json;
    assert.equal(a.state, 'levelB');
    const alice = a.recipients.find((r: any) => r.recipient === 'alice');
    assert.equal(alice.status, 'failed');
    const p = (await h.request('GET', `/api/v1/alarms/${id}/protocol`)).json;
    const entry = p.entries.find((e: any) => e.event?.type === 'DELIVERY');
    assert.equal(entry.event.reason, NOT_PERMITTED);
    // Moved to the operator group, she is notified on the next alarm.
    const moved = await h.request('PATCH', `/api/v1/users/${u.json.id}`, { userGroup: 'operator' });
    assert.equal(moved.status, 200, moved.text);
    await raise();
    await h.advance(0);
    assert.ok(sent().includes('alice'));
  });

  it('ignores a delivery failure for an ended or unknown alarm', async () => {
    const id = await raise();
    const c = await h.request('POST', `/api/v1/alarms/${id}/cancel`, { by: 'alice', reason: 'test' });
    assert.ok(c.status < 300, c.text);
    assert.equal(await h.tocsin.runtime.deliveryFailed(id, 'A.0.alice', 'late failure'), false);
    assert.equal(await h.tocsin.runtime.deliveryFailed('no-such-alarm', 'A.0.alice', 'x'), false);
  });
});
