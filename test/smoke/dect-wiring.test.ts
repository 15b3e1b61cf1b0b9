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
import { startHarness, type Harness } from '../support/harness.ts';
import { ManualTimers } from '../support/manual-timers.ts';

let timers: ManualTimers;
let sim: OmmSimulator;
let h: Harness;

/** Yields to IO until `check` holds; fails after `tries` turns of the event loop. */
async function settled(check: () => boolean | Promise<boolean>, what: string, tries = 20_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  assert.fail(`never happened: ${what}`);
}

before(async () => {
  timers = new ManualTimers();
  sim = new OmmSimulator({
    handsets: [{ ppn: 1, number: '4711', name: 'Alice', rfp: 10, behaviour: { kind: 'accept', afterMs: 20_000 } }],
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

  it('the emergency key raises the mapped alarm type', async () => {
    sim.pressEmergency(1);
    const fast = async () =>
      (await h.request('GET', '/api/v1/alarms')).json.alarms.some((a: { type: string }) => a.type === 'fast');
    await settled(fast, 'an alarm of type fast');
  });
});
