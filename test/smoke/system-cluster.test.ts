// @requires: postgres
// The interface status and the restart of the device links in cluster mode: two Tocsin nodes on
// one PostgreSQL schema with a DECT link. The node holding the lease `device-links` shows the
// link up and says it holds the lease; the other shows the link on standby and names the
// holder and the lease's expiry, as the store tells. Restarting the interfaces on the holder
// releases the lease and takes it again (the other node's keeper waits for its virtual clock),
// and the OMM simulator sees a new Open. The simulator's timers run on a manual queue; waiting
// is for IO only.
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

let sim: OmmSimulator;
let shared: TestStore;
let storeB: KyselyAlarmStore;
let a: Harness;
let b: Harness;

before(async () => {
  const timers = new ManualTimers();
  const o = await startDectSim({
    handsets: [{ ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'silent' } }],
    rfps: [10],
    schedule: timers.set,
  });
  sim = o.sim;
  const { dect } = o;
  shared = await freshPgStore();
  storeB = createPostgresStore({ url: pgUrl(), schema: shared.schema!, max: 5 });
  a = await startHarness({ store: shared.store, dect });
  await (a.tocsin.devices.dect as DectAdapter).whenUp();
  b = await startHarness({ store: storeB, dect });
});
after(async () => {
  await a?.stop().catch(() => {});
  await b?.stop().catch(() => {});
  await sim?.stop();
  await storeB?.close().catch(() => {});
  await shared?.cleanup();
});

const report = async (h: Harness) => {
  const r = await h.request('GET', '/api/v1/system/interfaces');
  assert.equal(r.status, 200, r.text);
  return r.json;
};

describe('interface status in cluster mode', () => {
  it('the holder shows the link up and holds the lease; the other node is on standby and names the holder', async () => {
    const ra = await report(a);
    const rb = await report(b);
    assert.equal(ra.lease.heldHere, true);
    assert.equal(ra.lease.holder, ra.lease.node);
    assert.equal(rb.lease.heldHere, false);
    assert.equal(rb.lease.holder, ra.lease.node, 'b names a as the holder');
    assert.equal(rb.lease.expiresAt, ra.lease.expiresAt);
    const dectOf = (r: { interfaces: { id: string; state: string }[] }) => r.interfaces.find((i) => i.id === 'dect');
    assert.equal(dectOf(ra)?.state, 'up');
    assert.equal(dectOf(rb)?.state, 'standby');
    assert.deepEqual(
      ra.interfaces.find((i: { id: string }) => i.id === 'lease'),
      {
        id: 'lease',
        kind: 'lease',
        state: 'up',
        detail: { name: 'device-links', heldHere: true, holder: ra.lease.node, expiresAt: ra.lease.expiresAt },
      },
    );
    assert.equal(ra.interfaces.find((i: { id: string }) => i.id === 'store').detail.store, 'postgres');
  });

  it('restarting the interfaces on the holder releases the lease, takes it again and reopens the link', async () => {
    const before = new Set(sim.links);
    const r = await a.request('POST', '/api/v1/system/restart', { scope: 'interfaces', reason: 'cluster check' });
    assert.equal(r.status, 200, r.text);
    await (a.tocsin.devices.dect as DectAdapter).whenUp();
    await settled(() => sim.links.some((l) => !before.has(l) && l.opened && !l.closed), 'a new Open from a');
    assert.equal((await report(a)).lease.heldHere, true);
    assert.equal((await report(b)).interfaces.find((i: { id: string }) => i.id === 'dect').state, 'standby');
  });
});
