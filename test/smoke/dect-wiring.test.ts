// The DECT channel as `tocsin start` builds it from TOCSIN_DECT_* (src/app/dect-wiring.ts):
// the app connects to the OMM simulator over TLS with the configured pinned fingerprint; a
// Tocsin user's phone number is her handset, so her notification reaches it and her OrderOk
// accepts the alarm; a recipient with no handset fails at once; the emergency key raises the
// mapped alarm type. The app's own timers are real but unused here; the simulator's run on a
// manual queue. Waiting is for socket IO only: `settled` yields to the event loop a bounded
// number of times until a condition holds (no clock involved).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DectAdapter } from '../../adapters/dect/dect-adapter.ts';
import { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import { handsetAddress } from '../../src/app/dect-wiring.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import { settled } from '../support/settled.ts';

let timers: ManualTimers;
let sim: OmmSimulator;
let h: Harness;

/** Yields to IO until `check` holds; fails after `tries` turns of the event loop. */

before(async () => {
  timers = new ManualTimers();
  sim = new OmmSimulator({
    handsets: [{ ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'accept', afterMs: 20_000 } }],
    rfps: [10, 11],
    schedule: timers.set,
    credentials: { username: 'tocsin', password: 'axi-secret' },
  });
  const { port, certificatePem } = await sim.start({ tls: true, port: 0, host: '127.0.0.1' });
  h = await startHarness({
    dect: {
      host: '127.0.0.1',
      port,
      tls: true,
      fingerprint: new X509Certificate(certificatePem!).fingerprint256,
      ca: undefined,
      username: 'tocsin',
      password: 'axi-secret',
      fromAddr: 'tel:9999',
      fromName: 'Tocsin',
      confirmElement: 'confirm',
      triggers: { SOS: 'fast', '*': 'generic' },
      locations: { 10: 'Ward 1, bed 4', 11: 'Corridor' },
      messageRules: [{ pattern: 'FIRE*', alarmType: 'fast' }],
      environment: 'default',
      onDuty: ['4711'],
    },
    // Supervision alarms of the DECT environment are of type generic.
    file: {
      ...testFileConfig,
      environments: [{ id: 'default', name: 'Default', supervisionAlarmType: 'generic' }],
    },
  });
  await (h.tocsin.notifier as DectAdapter).whenUp();
});
after(async () => {
  await h.stop();
  await sim.stop();
});

describe('the DECT channel built from the configuration', () => {
  it('uses the DECT adapter, opened with the configured account over pinned TLS', () => {
    assert.equal(h.tocsin.notifier.channel, 'dect');
    const link = sim.links[0]!;
    assert.equal(link.tls, true);
    assert.ok(link.opened);
  });

  it('a user’s phone number is her handset: she accepts on it; a recipient without a handset fails at once', async () => {
    const u = await h.request('POST', '/api/v1/users', {
      loginName: 'alice',
      displayName: 'Alice',
      phone: '47 11',
      userGroup: 'operator',
      environments: ['default'],
      password: 'alice-Passphrase-77',
    });
    assert.equal(u.status, 201, u.text);
    assert.equal(await handsetAddress(h.tocsin.store, 'alice'), 'tel:4711');
    assert.equal(await handsetAddress(h.tocsin.store, 'device:dect:4712'), 'tel:4712');
    assert.equal(await handsetAddress(h.tocsin.store, 'bob'), undefined);

    const r = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Fire deck 5', id: 'wired-1' });
    assert.equal(r.status, 201, r.text);
    await h.advance(0);
    const status = async (who: string) =>
      (await h.request('GET', '/api/v1/alarms/wired-1')).json.recipients.find(
        (x: { recipient: string }) => x.recipient === who,
      )?.status;
    await settled(async () => (await status('alice')) === 'delivered', 'alice’s handset has it');
    await settled(async () => (await status('bob')) === 'failed', 'bob’s notification failed');
    assert.equal(sim.inbox(1)[0]!.msg.content, 'Fire deck 5');

    timers.advance(20_000);
    await settled(async () => (await status('alice')) === 'accepted', 'alice accepted');
    const alarm = (await h.request('GET', '/api/v1/alarms/wired-1')).json;
    assert.equal(alarm.recipients.find((x: { recipient: string }) => x.recipient === 'alice').response, 'accept');
  });

  it('the phones list follows the handset to another base station', async () => {
    sim.moveTo(1, 11);
    const phone = async () => (await h.request('GET', '/api/v1/phones')).json.phones[0];
    await settled(async () => (await phone())?.rfp === 11, 'the LocReg at RFP 11');
    const list = (await h.request('GET', '/api/v1/phones')).json;
    assert.equal(list.link, 'up');
    assert.deepEqual(
      { ...list.phones[0], lastSeen: undefined },
      { ppn: 1, loggedOn: true, rfp: 11, location: 'Corridor', lastSeen: undefined },
    );
  });

  it('the emergency key raises the mapped alarm type, at the handset’s last place', async () => {
    sim.pressEmergency(1);
    const fast = async () =>
      (await h.request('GET', '/api/v1/alarms')).json.alarms.find((a: { type: string }) => a.type === 'fast');
    await settled(async () => (await fast()) !== undefined, 'an alarm of type fast');
    const alarm = (await h.request('GET', `/api/v1/alarms/${(await fast()).id}`)).json;
    assert.equal(alarm.location, 'Corridor');
    // Handset 4711 is alice's phone: she raised it, and the protocol says so.
    const protocol = (await h.request('GET', `/api/v1/alarms/${alarm.id}/protocol`)).json;
    assert.deepEqual(protocol.entries[0].actor, { kind: 'user', id: 'alice' });
    // The alarm taught the phones list the handset's number.
    assert.equal((await h.request('GET', '/api/v1/phones')).json.phones[0].number, '4711');
  });

  it('text typed on a handset raises an alarm when a rule maps it; other text does not', async () => {
    const before = (await h.request('GET', '/api/v1/alarms')).json.alarms.length;
    sim.sendText(1, 'hello bridge', 'tel:9999');
    sim.sendText(1, 'Fire in the galley', 'tel:9999');
    const typed = async () =>
      (await h.request('GET', '/api/v1/alarms')).json.alarms.find(
        (a: { text: string }) => a.text === 'Fire in the galley',
      );
    await settled(async () => (await typed()) !== undefined, 'the typed FIRE alarm');
    const alarm = (await h.request('GET', `/api/v1/alarms/${(await typed()).id}`)).json;
    assert.equal(alarm.type, 'fast');
    assert.deepEqual(alarm.source, { adapter: 'dect', device: 'tel:4711' });
    // Events are handled in order: the earlier, unmapped message raised nothing.
    assert.equal((await h.request('GET', '/api/v1/alarms')).json.alarms.length, before + 1);
  });

  it('a locating alert rings the handset with priority LocatingAlert, and is in the access log', async () => {
    const r = await h.request('POST', '/api/v1/phones/4711/locating-alert', { text: 'Where are you?' });
    assert.equal(r.status, 202, r.text);
    await settled(() => sim.inbox(1).some((m) => m.msg.priority === 'LocatingAlert'), 'the locating alert');
    const log = await h.tocsin.store.accessLog.list({ limit: 10, action: 'phone.locating-alert' });
    assert.equal(log.length, 1);
    assert.equal(log[0]!.target, 'phone/4711');
  });

  it('the DECT band: read, a switch without confirm refused, EU → US confirmed and access-logged', async () => {
    const before = await h.request('GET', '/api/v1/dect/band');
    assert.equal(before.status, 200, before.text);
    assert.equal(before.json.band, 'EU');
    const unconfirmed = await h.request('POST', '/api/v1/dect/band', { band: 'US' });
    assert.equal(unconfirmed.status, 422, unconfirmed.text);
    const unknown = await h.request('POST', '/api/v1/dect/band', { band: 'Mars', confirm: true });
    assert.equal(unknown.status, 422, unknown.text);
    assert.equal(sim.dectRegDomain, 'EMEA', 'nothing was switched');
    const r = await h.request('POST', '/api/v1/dect/band', { band: 'US', confirm: true });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { band: 'US', previous: 'EU', changed: true, confirmed: true });
    assert.equal(sim.dectRegDomain, 'US');
    const log = await h.tocsin.store.accessLog.list({ limit: 10, action: 'dect.band' });
    assert.deepEqual(
      log.map((e) => [e.outcome, e.target]),
      [['success', 'dect/band/US']],
    );
  });

  it('a user of another environment sees no phones and finds none', async () => {
    const u = await h.request('POST', '/api/v1/users', {
      loginName: 'yves',
      displayName: 'Yves',
      userGroup: 'administrator',
      environments: ['elsewhere'],
      password: 'yves-Passphrase-88',
      mustChangePassword: false,
    });
    assert.equal(u.status, 201, u.text);
    const { token } = await h.tocsin.auth.issueToken(u.json.id, {
      name: 'yves',
      permissions: ['system.phones', 'operation.phones.locating-alert'],
      environments: ['elsewhere'],
    });
    const as = { authorization: `Bearer ${token}` };
    assert.deepEqual((await h.request('GET', '/api/v1/phones', undefined, as)).json, { link: 'unknown', phones: [] });
    const ring = await h.request('POST', '/api/v1/phones/4711/locating-alert', {}, as);
    assert.equal(ring.status, 404, ring.text);
  });

  it('a handset on duty switched off raises a supervision alarm once; back on, LINK_UP is signalled to it', async () => {
    const supervision = async () =>
      (await h.request('GET', '/api/v1/alarms')).json.alarms.filter((a: { id: string }) =>
        a.id.startsWith('supervision-dect-4711-'),
      );
    sim.switchOff(1);
    await settled(async () => (await supervision()).length === 1, 'the supervision alarm for 4711');
    const [alarm] = await supervision();
    assert.equal(alarm.type, 'generic');
    assert.match(alarm.text, /DECT handset 4711: switched-off/);
    const full = (await h.request('GET', `/api/v1/alarms/${alarm.id}`)).json;
    assert.deepEqual(full.source, { adapter: 'supervision', device: 'dect:4711' });
    sim.moveTo(1, 10); // LocReg: the handset is back
    const signalled = async () =>
      (await h.request('GET', `/api/v1/alarms/${alarm.id}/protocol`)).json.entries.some(
        (e: { event: { type?: string } }) => e.event.type === 'LINK_UP',
      );
    await settled(signalled, 'LINK_UP for the handset alarm');
    assert.equal((await supervision()).length, 1, 'one alarm per episode');
  });
});
