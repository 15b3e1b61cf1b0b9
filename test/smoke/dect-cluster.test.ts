// @requires: postgres
// Cluster mode with a DECT link (DESIGN.md: device links held by one node under a lease): two
// Tocsin nodes on one PostgreSQL schema. Only the lease holder opens the OM AXI link; an alarm
// raised on the other node reaches the handset through the holder (the change feed wakes it);
// when the holder stops, the other node takes the link over and carries on. The OMM simulator's
// timers run on a manual queue, each node on its own virtual clock; waiting is for IO only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';
import { startDectSim } from '../support/dect-sim.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import { freshPgStore, pgUrl, type TestStore } from '../support/services.ts';
import { settled as settledWithin } from '../support/settled.ts';

const settled = (check: () => boolean | Promise<boolean>, what: string) => settledWithin(check, what, 5_000);

let timers: ManualTimers;
let sim: OmmSimulator;
let shared: TestStore;
let storeB: KyselyAlarmStore;
let a: Harness;
let b: Harness;

before(async () => {
  timers = new ManualTimers();
  const o = await startDectSim({
    handsets: [{ ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'accept', afterMs: 5_000 } }],
    rfps: [10],
    schedule: timers.set,
  });
  sim = o.sim;
  const { dect } = o;
  shared = await freshPgStore();
  storeB = createPostgresStore({ url: pgUrl(), schema: shared.schema!, max: 5 });
  a = await startHarness({ store: shared.store, dect });
  await (a.tocsin.notifier as DectAdapter).whenUp();
  b = await startHarness({ store: storeB, dect });
  // alice (group A of the test configuration) carries handset 4711.
  const u = await a.request('POST', '/api/v1/users', {
    loginName: 'alice',
    displayName: 'Alice',
    phone: '4711',
    userGroup: 'operator',
    environments: ['default'],
    password: 'alice-Passphrase-77',
  });
  assert.equal(u.status, 201, u.text);
});
after(async () => {
  await a.stop().catch(() => {});
  await b.stop().catch(() => {});
  await sim.stop();
  await storeB.close().catch(() => {});
  await shared.cleanup();
});

const opened = () => sim.links.filter((l) => l.opened).length;
const status = async (h: Harness, id: string) =>
  (await h.request('GET', `/api/v1/alarms/${id}`)).json.recipients?.find(
    (x: { recipient: string }) => x.recipient === 'alice',
  )?.status;

describe('a DECT link in cluster mode', () => {
  it('is opened by one node only', async () => {
    assert.equal(opened(), 1);
    assert.equal((b.tocsin.notifier as DectAdapter).transport.phase, 'idle');
  });

  it('an alarm raised on the node without the link reaches the handset through the holder', async () => {
    const r = await b.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Smoke deck 2', id: 'cl-1' });
    assert.equal(r.status, 201, r.text);
    await b.advance(0);
    await settled(() => sim.inbox(1).some((m) => m.msg.content === 'Smoke deck 2'), 'the handset has it');
    await settled(async () => (await status(b, 'cl-1')) === 'delivered', 'delivered, as seen from b');
    timers.advance(5_000);
    await settled(async () => (await status(b, 'cl-1')) === 'accepted', 'alice accepted on the handset');
  });

  it('when the holder stops, the other node takes the link over and carries on', async () => {
    await a.stop();
    await settled(() => sim.links.filter((l) => l.opened && !l.closed).length === 0, 'a closed its link');
    await b.advance(5_000); // b's next attempt at the lease: a released it on stopping
    await (b.tocsin.notifier as DectAdapter).whenUp();
    assert.equal(opened(), 2);
    const r = await b.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Smoke deck 3', id: 'cl-2' });
    assert.equal(r.status, 201, r.text);
    await b.advance(0);
    await settled(() => sim.inbox(1).some((m) => m.msg.content === 'Smoke deck 3'), 'the handset has the second');
    timers.advance(5_000);
    await settled(async () => (await status(b, 'cl-2')) === 'accepted', 'accepted through b’s link');
  });
});
