// The DECT adapter end to end: the whole app in-process (PGlite, virtual clock) with the DECT
// adapter as its notification channel, connected over TLS to the OMM simulator. An alarm
// notifies group A: alice's handset shows it and she accepts 20 s later, so the alarm is
// accepted by her; bob's handset is switched off, so his notification fails and the plan hears
// a delivery failure. The emergency key raises an alarm of the mapped type, once. A confirmation
// that arrives after the adapter was replaced (a restart) still finds its alarm through the
// durable ledger. Timers of the adapter and the simulator run on one manual queue; the test
// awaits the adapter's callbacks, never a sleep.
// Then the phones list and the handsets: provisioning (number, name, language, model) from
// EventPPDevCnf / EventPPUserCnf, charger and battery from EventPPState, the position on demand
// (several base stations, strongest first; a timeout and a refusal), the position route over
// HTTP with its access log and environment scope, and handsets on duty that are switched off or
// go out of range (one report per episode, `back` on LocReg). Waiting for socket IO yields to
// the event loop a bounded number of times (`settled`): no clock involved.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import { phoneRoutes } from '../../src/http/phone-routes.ts';
import { problemMiddleware } from '../../src/http/problem.ts';
import type { Phones } from '../../src/ports/phones.ts';
import { DectAdapter, type HandsetAlarm } from '../../adapters/dect/dect-adapter.ts';
import type { DectSink } from '../../adapters/dect/dect-adapter-options.ts';
import { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { ALARM_SERVER_SUBSCRIPTIONS } from '../../adapters/dect/dect-transport.ts';
import type { Notifier } from '../../src/ports/notifier.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';
import { memoryStore, type TestStore } from '../support/services.ts';
import { settled } from '../support/settled.ts';

const ADDRESSES: Record<string, string> = { alice: 'tel:4711', bob: 'tel:4712' };
const LOCATIONS = { 10: 'Ward 1', 11: 'Ward 2', 12: 'Bridge' };
/** Handsets on duty (carol's); bob's is not. */
const ON_DUTY = new Set(['4713']);

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
  handset: (kind, number, detail) => calls.push({ what: `handset:${kind}:${number}`, detail }),
};

/** Yields to IO until `check` holds; fails after `tries` turns of the event loop. */
const phone = (ppn: number) => adapter.phones().find((p) => p.ppn === ppn);

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
    locations: LOCATIONS,
    onDuty: (n) => Promise.resolve(ON_DUTY.has(n)),
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
      {
        ppn: 1,
        number: '4711',
        name: 'Alice',
        user: 101,
        language: 'German',
        type: '632d',
        rfp: 10,
        behaviour: { kind: 'accept', afterMs: 20_000 },
      },
      { ppn: 2, number: '4712', name: 'Bob', user: 102, rfp: 11, behaviour: { kind: 'off' } },
      { ppn: 3, number: '4713', name: 'Carol', user: 103, type: 'GAP', rfp: 12 },
    ],
    rfps: [10, 11, 12],
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

describe('the phones list and the handsets, with the OMM simulator', { timeout: 30_000 }, () => {
  it('provisioning: each handset’s number, user, name, language and model', async () => {
    await settled(() => adapter.phones().filter((p) => p.name !== undefined).length === 3, 'three named handsets');
    const { lastSeen: _l, ...alice } = phone(1)!;
    assert.deepEqual(alice, { ppn: 1, uid: 101, number: '4711', name: 'Alice', language: 'German', model: '632d' });
    assert.deepEqual([phone(2)?.number, phone(3)?.number, phone(3)?.model], ['4712', '4713', 'GAP']);
    // Another user logs on at ppn 2: the list follows.
    sim.assignUser(2, { uid: 104, number: '4714', name: 'Dora', language: 'English' });
    await settled(() => phone(2)?.number === '4714', 'Dora on ppn 2');
    assert.deepEqual([phone(2)?.uid, phone(2)?.name, phone(2)?.language], [104, 'Dora', 'English']);
  });

  it('charger in and out and the battery level follow EventPPState', async () => {
    sim.setCharger(1, true);
    sim.setBattery(1, 35);
    await settled(() => phone(1)?.inCharger === true && phone(1)?.batteryLevel === 35, 'in the charger at 35 %');
    sim.setCharger(1, false);
    sim.setBattery(1, 34);
    await settled(() => phone(1)?.batteryLevel === 34, 'battery 34 %');
    assert.equal(phone(1)?.inCharger, false);
  });

  it('position: every base station it sees, strongest first with its place; the list takes the strongest', async () => {
    sim.setVisible(3, [
      { rfp: 10, rssiAvg: -75 },
      { rfp: 12, rssiAvg: -50 },
      { rfp: 11, rssiAvg: -62 },
    ]);
    sim.moveTo(3, 10);
    await settled(() => phone(3)?.rfp === 10, 'carol at RFP 10');
    const r = await adapter.position('4713');
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.visible, [
      { rfp: 12, rssiAvg: -50, location: 'Bridge' },
      { rfp: 11, rssiAvg: -62, location: 'Ward 2' },
      { rfp: 10, rssiAvg: -75, location: 'Ward 1' },
    ]);
    assert.deepEqual(r.best, { rfp: 12, rssiAvg: -50, location: 'Bridge' });
    assert.deepEqual([phone(3)?.rfp, phone(3)?.location], [12, 'Bridge']);
    assert.deepEqual(await adapter.position('9999'), {
      ok: false,
      reason: 'not-found',
      detail: 'no handset with number 9999 in the phones list',
    });
  });

  it('position: no answer within 10 s is a timeout; an OMM error a refusal', async () => {
    sim.positionReplies('silent');
    const asked = adapter.position('4711');
    // The response has come once only the adapter's own 10 s wait is left at 10 s (the
    // request's response timer, also 10 s, is cancelled by the response).
    await settled(() => timers.pending().filter((ms) => ms === 10_000).length === 1, 'RequestPositionInfoResp');
    timers.advance(9_999);
    let done = false;
    void asked.then(() => (done = true));
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'still waiting after 9.999 s');
    timers.advance(1);
    assert.deepEqual(await asked, { ok: false, reason: 'timeout', detail: 'no EventPositionInfo within 10000 ms' });
    sim.positionReplies({ errCode: 'EPerm' });
    const refused = await adapter.position('4711');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, 'refused');
    assert.equal(!refused.ok && refused.errCode, 'EPerm');
    sim.positionReplies('answer');
  });

  it('GET /api/v1/phones/{number}/position over HTTP: 200, 404, 502, 504, another environment 404; access-logged', async () => {
    const audit: { action: string; outcome?: string; target?: string | null }[] = [];
    const port: Phones = {
      environment: 'default',
      linkUp: () => adapter.transport.phase === 'up',
      list: () => adapter.phones(),
      locatingAlert: (n, t) => adapter.locatingAlert(n, t),
      position: (n) => adapter.position(n),
      bands: [],
      band: () => Promise.resolve({ ok: false, retryable: false, reason: 'not here' }),
    };
    const app = new Koa();
    app.use(problemMiddleware({ error: () => {}, warn: () => {}, info: () => {} } as never));
    app.use(async (ctx, next) => {
      const env = ctx.get('x-environment') || 'default';
      ctx.state.principal = { kind: 'token', userId: 'u', loginName: 'op', permissions: [], environments: [env] };
      await next();
    });
    app.use(
      phoneRoutes(port, async (_ctx, e) => {
        audit.push({ action: e.action, outcome: e.outcome, target: e.target });
      }).routes(),
    );
    const server: Server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const r = await fetch(base + path, { headers });
      return { status: r.status, type: r.headers.get('content-type'), json: (await r.json()) as any };
    };
    try {
      const ok = await get('/api/v1/phones/4713/position');
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.deepEqual(
        { ...ok.json, at: undefined },
        {
          number: '4713',
          ppn: 3,
          best: { rfp: 12, rssiAvg: -50, location: 'Bridge' },
          visible: [
            { rfp: 12, rssiAvg: -50, location: 'Bridge' },
            { rfp: 11, rssiAvg: -62, location: 'Ward 2' },
            { rfp: 10, rssiAvg: -75, location: 'Ward 1' },
          ],
          at: undefined,
        },
      );
      assert.equal((await get('/api/v1/phones/9999/position')).status, 404);
      assert.equal((await get('/api/v1/phones/4713/position', { 'x-environment': 'elsewhere' })).status, 404);
      assert.equal((await get('/api/v1/phones/47a1/position')).status, 422);

      sim.positionReplies({ errCode: 'EPerm' });
      const bad = await get('/api/v1/phones/4713/position');
      assert.equal(bad.status, 502);
      assert.equal(bad.type, 'application/problem+json');

      sim.positionReplies('silent');
      const slow = get('/api/v1/phones/4713/position');
      await settled(() => timers.pending().filter((ms) => ms === 10_000).length === 1, 'RequestPositionInfoResp');
      timers.advance(10_000);
      const timedOut = await slow;
      assert.equal(timedOut.status, 504);
      assert.equal(timedOut.json.type, 'urn:tocsin:problem:gateway-timeout');
    } finally {
      sim.positionReplies('answer');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // Every position asked of a visible link is logged, found or not; the other environment's is not.
    assert.deepEqual(
      audit.map((a) => `${a.action} ${a.outcome} ${a.target}`),
      [
        'phone.position success phone/4713',
        'phone.position failure phone/9999',
        'phone.position failure phone/4713',
        'phone.position failure phone/4713',
      ],
    );
  });

  it('a handset on duty switched off or out of range: reported once per episode, and back on LocReg', async () => {
    const from = calls.seen.length;
    const handsetCalls = () => calls.seen.slice(from).filter((c) => c.what.startsWith('handset:'));
    // Bob's (4712 → now Dora's 4714) is not on duty: never reported.
    sim.switchOff(2);
    const off = calls.next((c) => c.what === 'handset:switched-off:4713');
    sim.switchOff(3);
    assert.match((await off).detail!, /Detach/);
    // Out of range while switched off: the same episode, nothing new.
    sim.outOfRange(3);
    const back = calls.next((c) => c.what === 'handset:back:4713');
    sim.moveTo(3, 12);
    assert.match((await back).detail!, /LocReg at RFP 12/);
    const lost = calls.next((c) => c.what === 'handset:out-of-range:4713');
    sim.outOfRange(3);
    assert.match((await lost).detail!, /PPNotFound/);
    // `next` waits for a call after this one: the first `back` is behind us.
    const backAgain = calls.next((c) => c.what === 'handset:back:4713');
    sim.moveTo(3, 10);
    await backAgain;
    assert.deepEqual(
      handsetCalls().map((c) => c.what),
      ['handset:switched-off:4713', 'handset:back:4713', 'handset:out-of-range:4713', 'handset:back:4713'],
    );
  });
});
