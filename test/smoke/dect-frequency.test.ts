// The DECT frequency switch end to end: a DectAdapter over a real socket (TLS, pinned) to the
// OMM simulator, its ledger from memoryStore() and its timers on a manual queue. The adapter
// reads the band (EU, the simulator's default), switches EU → US, the simulator's domain is US
// and reading back gives US; switching to the band in force changes nothing; a scripted refusal
// comes back as ok:false with the OMM's errCode and the band stays.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import type { DectSink } from '../../adapters/dect/dect-adapter-options.ts';
import { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { ALARM_SERVER_SUBSCRIPTIONS } from '../../adapters/dect/dect-transport.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import { memoryStore, type TestStore } from '../support/services.ts';

let timers: ManualTimers;
let sim: OmmSimulator;
let store: TestStore;
let adapter: DectAdapter;
const logged: { msg: string; fields?: Record<string, unknown> }[] = [];

const sink: DectSink = {
  respond: async () => {},
  delivered: async () => {},
  failed: async () => {},
  alarm: async () => {},
  supervision: () => {},
};

before(async () => {
  timers = new ManualTimers();
  sim = new OmmSimulator({ handsets: [{ ppn: 1, number: '4711', name: 'Bridge', rfp: 10 }], schedule: timers.set });
  const started = await sim.start({ tls: true, port: 0, host: '127.0.0.1' });
  store = await memoryStore();
  adapter = new DectAdapter({
    link: {
      host: '127.0.0.1',
      port: started.port,
      tls: { minVersion: 'TLSv1.2', pinSha256: new X509Certificate(started.certificatePem!).fingerprint256 },
      username: 'omm',
      password: 'omm',
      subscriptions: ALARM_SERVER_SUBSCRIPTIONS,
    },
    ledger: store.store.deviceMessages,
    sink,
    addressOf: async () => undefined,
    profileOf: () => undefined,
    now: () => Date.now(),
    timers,
    fromAddr: 'tel:9999',
    fromName: 'Tocsin',
    triggers: { '*': 'generic' },
    log: (_level, msg, fields) => logged.push({ msg, ...(fields ? { fields } : {}) }),
  });
  const up = adapter.whenUp();
  adapter.start();
  await up;
});
after(async () => {
  await adapter.stop();
  await sim.stop();
  await store.cleanup().catch(() => {});
});

describe('switching the DECT band through the adapter', { timeout: 30_000 }, () => {
  it('reads EU, switches EU → US, and reads US back', async () => {
    assert.deepEqual(await adapter.dectBand(), {
      ok: true,
      previous: 'EU',
      current: 'EU',
      changed: false,
      confirmed: true,
    });
    assert.equal(sim.dectRegDomain, 'EMEA');

    const r = await adapter.dectBand('US');
    assert.deepEqual(r, { ok: true, previous: 'EU', current: 'US', changed: true, confirmed: true });
    assert.equal(sim.dectRegDomain, 'US');
    const read = await adapter.dectBand();
    assert.ok(read.ok);
    assert.equal(read.current, 'US');
    assert.ok(logged.some((l) => l.msg === 'OM AXI: DECT band switched' && l.fields?.regDomain === 'US'));

    // On the wire: Get, Set regDomain="US", Get (then the read above).
    const names = sim.received.filter((e) => e.name.includes('DECTRegDomain'));
    assert.deepEqual(
      names.map((e) => [e.name, e.attrs.regDomain]),
      [
        ['GetDECTRegDomain', undefined],
        ['GetDECTRegDomain', undefined],
        ['SetDECTRegDomain', 'US'],
        ['GetDECTRegDomain', undefined],
        ['GetDECTRegDomain', undefined],
      ],
    );
  });

  it('switching to the band in force sends no SetDECTRegDomain', async () => {
    const before = sim.received.filter((e) => e.name === 'SetDECTRegDomain').length;
    const r = await adapter.dectBand('US');
    assert.deepEqual(r, { ok: true, previous: 'US', current: 'US', changed: false, confirmed: true });
    assert.equal(sim.received.filter((e) => e.name === 'SetDECTRegDomain').length, before);
  });

  it('a refusal comes back as ok:false with the OMM errCode; the band stays', async () => {
    sim.refuseDectRegDomain('EPerm');
    const r = await adapter.dectBand('EU');
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.errCode, 'EPerm');
    assert.equal(r.retryable, false);
    assert.match(r.reason, /SetDECTRegDomain EMEA \(EPerm/);
    assert.equal(sim.dectRegDomain, 'US');

    sim.refuseDectRegDomain(false);
    const back = await adapter.dectBand('EU');
    assert.deepEqual(back, { ok: true, previous: 'US', current: 'EU', changed: true, confirmed: true });
    assert.equal(sim.dectRegDomain, 'EMEA');
  });

  it('an unknown band is refused before anything is sent', async () => {
    const sent = sim.received.length;
    const r = await adapter.dectBand('Mars' as never);
    assert.equal(r.ok, false);
    assert.equal(sim.received.length, sent);
  });
});
