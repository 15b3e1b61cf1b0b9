// The DECT adapter end to end: the whole app in-process (PGlite, virtual clock) with the DECT
// adapter as its notification channel, connected over TLS to the OMM simulator. An alarm
// notifies group A: alice's handset shows it and she accepts 20 s later, so the alarm is
// accepted by her; bob's handset is switched off, so his notification fails and the plan hears
// a delivery failure. The emergency key raises an alarm of the mapped type, once. A confirmation
// that arrives after the adapter was replaced (a restart) still finds its alarm through the
// durable ledger. Timers of the adapter and the simulator run on one manual queue; the test
// awaits the adapter's callbacks, never a sleep.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DectAdapter, type DectSink, type HandsetAlarm } from '../../adapters/dect/dect-adapter.ts';
import { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { ALARM_SERVER_SUBSCRIPTIONS } from '../../adapters/dect/dect-transport.ts';
import type { Notifier } from '../../src/ports/notifier.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';
import { memoryStore, type TestStore } from '../support/services.ts';

const ADDRESSES: Record<string, string> = { alice: 'tel:4711', bob: 'tel:4712' };

let timers: ManualTimers;
let sim: OmmSimulator;
let store: TestStore;
let h: Harness;
let adapter: DectAdapter;
const calls = new Recorder<{ what: string; alarmId?: string; detail?: string }>();
let port: number;
let pin: string;

/** The sink as src/app wires it: the runtime and the store of the running app. */
const sink: DectSink = {
  respond: async (alarmId, response, by, device) => {
    await h.tocsin.runtime.respond(alarmId, response, by, { kind: 'device', id: device });
    calls.push({ what: `respond:${response}:${by}`, alarmId });
  },
  delivered: async (alarmId, notificationId) => {
    await store.store.markNotification(alarmId, notificationId, { status: 'delivered', at: h.clock.now() });
    calls.push({ what: `delivered:${notificationId}`, alarmId });
  },
  failed: async (alarmId, notificationId, reason) => {
    await h.tocsin.runtime.deliveryFailed(alarmId, notificationId, reason, false);
    calls.push({ what: `failed:${notificationId}`, alarmId, detail: reason });
  },
  alarm: async (a: HandsetAlarm) => {
    const r = await h.tocsin.runtime.raise(
      { type: a.alarmType, text: a.text, source: { adapter: 'dect', device: a.fromAddr ?? `ppn:${a.ppn}` }, id: a.id },
      { kind: 'device', id: `dect:${a.fromAddr ?? a.ppn}` },
    );
    calls.push({ what: `alarm:${a.alarmType}:${r.created}`, alarmId: r.id });
  },
  supervision: (kind, detail) => calls.push({ what: `supervision:${kind}`, detail }),
};

function newAdapter(): DectAdapter {
  return new DectAdapter({
    link: {
      host: '127.0.0.1',
      port,
      tls: { minVersion: 'TLSv1.2', pinSha256: pin },
      username: 'omm',
      password: 'omm',
      subscriptions: ALARM_SERVER_SUBSCRIPTIONS,
    },
    ledger: store.store.deviceMessages,
    sink,
    addressOf: async (r) => ADDRESSES[r],
    profileOf: () => undefined,
    now: () => h.clock.now(),
    timers,
    fromAddr: 'tel:9999',
    fromName: 'Tocsin',
    triggers: { SOS: 'fast', '*': 'generic' },
  });
}

/** A channel that forwards to whichever adapter is current (the test replaces it to simulate a restart). */
const channel: Notifier = {
  channel: 'dect',
  send: (n) => adapter.send(n),
  withdraw: (w) => adapter.withdraw(w),
};

before(async () => {
  timers = new ManualTimers();
  sim = new OmmSimulator({
    handsets: [
      { ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'accept', afterMs: 20_000 } },
      { ppn: 2, number: '4712', name: 'Bob', rfp: 11, behaviour: { kind: 'off' } },
    ],
    schedule: timers.set,
  });
  const started = await sim.start({ tls: true, port: 0, host: '127.0.0.1' });
  port = started.port;
  pin = new X509Certificate(started.certificatePem!).fingerprint256;
  store = await memoryStore();
  h = await startHarness({ store: store.store, channel });
  adapter = newAdapter();
  const up = calls.next((c) => c.what === 'supervision:link-up');
  adapter.start();
  await up;
});
after(async () => {
  await adapter.stop();
  await h.stop();
  await sim.stop();
  await store.cleanup().catch(() => {});
});

// A lost callback fails the test after 30 s instead of hanging the run (a safety net, not a margin).
describe('the DECT adapter with the OMM simulator', { timeout: 30_000 }, () => {
  it('alice accepts on her handset; bob’s is off: a delivery failure', async () => {
    const deliveredAlice = calls.next((c) => c.what === 'delivered:A.0.alice');
    const failedBob = calls.next((c) => c.what === 'failed:A.0.bob');
    const r = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Fire on deck 5', id: 'fire-1' });
    assert.equal(r.status, 201, r.text);
    await h.advance(0);
    await deliveredAlice;
    const failed = await failedBob;
    assert.match(failed.detail!, /TemporaryUnavailable/);
    const shown = sim.inbox(1);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.msg.content, 'Fire on deck 5');
    assert.deepEqual(shown[0]!.choices, ['OrderOk', 'OrderNok']);

    const accepted = calls.next((c) => c.what === 'respond:accept:alice');
    timers.advance(20_000);
    await accepted;
    await h.advance(0);
    const alarm = (await h.request('GET', '/api/v1/alarms/fire-1')).json;
    const alice = alarm.recipients.find((x: { recipient: string }) => x.recipient === 'alice');
    assert.equal(alice.response, 'accept');
    const protocol = (await h.request('GET', '/api/v1/alarms/fire-1/protocol')).json;
    const response = protocol.entries.find((e: { event: { type: string } }) => e.event.type === 'RESPONSE');
    assert.deepEqual(response.actor, { kind: 'device', id: 'dect:tel:4711' });
    assert.equal(protocol.chain.ok, true);
  });

  it('the emergency key raises an alarm of the mapped type, once', async () => {
    const raised = calls.next((c) => c.what.startsWith('alarm:fast:'));
    const emitted = sim.pressEmergency(1);
    const first = await raised;
    assert.equal(first.what, 'alarm:fast:true');
    const alarm = (await h.request('GET', `/api/v1/alarms/${first.alarmId}`)).json;
    assert.equal(alarm.type, 'fast');
    assert.deepEqual(alarm.source, { adapter: 'dect', device: 'tel:4711' });
    assert.ok(emitted.links >= 1);
  });

  it('a confirmation after a restart of the adapter still reaches its alarm (the durable ledger)', async () => {
    const delivered = calls.next((c) => c.what === 'delivered:A.0.alice' && c.alarmId === 'fire-2');
    const r = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Water ingress', id: 'fire-2' });
    assert.equal(r.status, 201, r.text);
    await h.advance(0);
    await delivered;
    // The adapter process goes away and a new one (same database) connects before alice answers.
    await adapter.stop();
    adapter = newAdapter();
    const up = calls.next((c) => c.what === 'supervision:link-up');
    adapter.start();
    await up;
    const accepted = calls.next((c) => c.what === 'respond:accept:alice' && c.alarmId === 'fire-2');
    timers.advance(20_000);
    await accepted;
  });
});
