// The OM AXI transport (adapters/dect/dect-transport.ts) against the OMM simulator over real
// sockets, TLS and plain: it opens, subscribes, pings, sends a message and receives its
// progress and confirmation; a wrong pinned certificate, refused logins and a dropped link are
// supervision events followed by a back-off and a reconnect that opens and subscribes again;
// a peer sending an endless frame is cut off. Timers (the transport's and the simulator's) run
// on one manual clock: nothing sleeps; the tests only await socket IO.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import type { AxiEvent } from '../../adapters/dect/dect-codec.ts';
import { OmmSimulator } from '../../adapters/dect/dect-simulator.ts';
import {
  AxiTransport,
  ALARM_SERVER_SUBSCRIPTIONS,
  type AxiTransportOptions,
} from '../../adapters/dect/dect-transport.ts';
import { DEFAULT_LINK_POLICY } from '../../adapters/dect/dect-link.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';

const handsets = [
  { ppn: 1, number: '4711', name: 'Ward 1', rfp: 10, behaviour: { kind: 'accept', afterMs: 20_000 } as const },
  { ppn: 2, number: '4712', name: 'Ward 2', rfp: 11, behaviour: { kind: 'off' } as const },
];

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(opts: { tls: boolean; pin?: 'right' | 'wrong'; password?: string }) {
  const timers = new ManualTimers();
  const sim = new OmmSimulator({ handsets, schedule: timers.set, credentials: { username: 'omm', password: 'omm' } });
  const { port, certificatePem } = await sim.start({ tls: opts.tls, port: 0, host: '127.0.0.1' });
  const supervision = new Recorder<{ kind: string; detail: string }>();
  const events = new Recorder<AxiEvent | { type: 'Unknown'; name: string }>();
  const reconciled = new Recorder<number>();
  const fingerprint = certificatePem ? new X509Certificate(certificatePem).fingerprint256 : undefined;
  const o: AxiTransportOptions = {
    host: '127.0.0.1',
    port,
    ...(opts.tls
      ? {
          tls: {
            minVersion: 'TLSv1.2',
            pinSha256: opts.pin === 'wrong' ? 'AA:'.repeat(31) + 'AA' : fingerprint!,
          },
        }
      : {}),
    username: 'omm',
    password: opts.password ?? 'omm',
    subscriptions: ALARM_SERVER_SUBSCRIPTIONS,
    timers,
    now: () => 1_715_675_759,
    onEvent: events.push,
    onSupervision: (kind, detail) => supervision.push({ kind, detail }),
    onReconcile: () => reconciled.push(reconciled.seen.length + 1),
  };
  const transport = new AxiTransport(o);
  cleanups.push(
    () => transport.stop(),
    () => sim.stop(),
  );
  return { sim, transport, timers, supervision, events, reconciled };
}

const received = (sim: OmmSimulator) => sim.links.flatMap((l) => l.received.map((e) => e.name));

for (const tls of [true, false]) {
  describe(`the AXI transport over ${tls ? 'TLS (pinned certificate)' : 'plain TCP'}`, () => {
    it('opens, subscribes to every alarm-server event, and reconciles', async () => {
      const t = await setup({ tls });
      const up = t.supervision.next((s) => s.kind === 'link-up');
      t.transport.start();
      await up;
      assert.equal(t.transport.phase, 'up');
      assert.deepEqual(received(t.sim), ['Open', 'Subscribe']);
      const subscribe = t.sim.links[0]!.received[1]!;
      assert.equal(subscribe.children.length, ALARM_SERVER_SUBSCRIPTIONS.length);
      assert.deepEqual(t.reconciled.seen, [1]);
    });

    it('sends a message and hears Delivered, then the handset’s OrderOk after 20 s', async () => {
      const t = await setup({ tls });
      const up = t.supervision.next((s) => s.kind === 'link-up');
      t.transport.start();
      await up;
      const delivered = t.events.next((e) => e.type === 'EventMessageProgress');
      const resp = await t.transport.request({
        type: 'SendMessage',
        msg: {
          sendTime: 1_715_675_759,
          id: 7,
          toAddr: 'tel:4711',
          fromAddr: 'tel:9999',
          priority: 'Emergency',
          popUp: true,
          signallingVolume: 100,
          content: 'FIRE Deck 5 cabin 5012',
          confirmations: ['OrderOk', 'OrderNok'],
        },
      });
      assert.equal(resp.type, 'SendMessageResp');
      assert.equal(resp.errCode, undefined);
      const d = await delivered;
      assert.equal(d.type === 'EventMessageProgress' && d.event, 'Delivered');
      const confirmed = t.events.next((e) => e.type === 'EventMessageConfirmation');
      t.timers.advance(20_000);
      const c = await confirmed;
      assert.ok(c.type === 'EventMessageConfirmation');
      assert.deepEqual([c.id, c.confirmation], [7, 'OrderOk']);
    });

    it('a handset that is switched off: TemporaryUnavailable', async () => {
      const t = await setup({ tls });
      const up = t.supervision.next((s) => s.kind === 'link-up');
      t.transport.start();
      await up;
      const progress = t.events.next((e) => e.type === 'EventMessageProgress');
      await t.transport.request({
        type: 'SendMessage',
        msg: { sendTime: 1, id: 1, toAddr: 'tel:4712', priority: 'High', content: 'x', confirmations: ['OrderOk'] },
      });
      const p = await progress;
      assert.equal(p.type === 'EventMessageProgress' && p.event, 'TemporaryUnavailable');
    });

    it('a dropped link: link-down, back-off, reconnect, Open and Subscribe again, reconcile', async () => {
      const t = await setup({ tls });
      const up = t.supervision.next((s) => s.kind === 'link-up');
      t.transport.start();
      await up;
      const down = t.supervision.next((s) => s.kind === 'link-down');
      t.sim.dropLinks();
      await down;
      assert.equal(t.transport.phase, 'waiting');
      await assert.rejects(t.transport.request({ type: 'GetPPState', ppn: 1 }), /link is down/);
      assert.deepEqual(t.timers.pending(), [DEFAULT_LINK_POLICY.backoff.baseMs]);
      const again = t.supervision.next((s) => s.kind === 'link-up');
      t.timers.advance(DEFAULT_LINK_POLICY.backoff.baseMs);
      await again;
      assert.deepEqual(received(t.sim), ['Open', 'Subscribe', 'Open', 'Subscribe']);
      assert.deepEqual(t.reconciled.seen, [1, 2]);
    });

    it('pings every 60 s and stays up while answered', async () => {
      const t = await setup({ tls });
      const up = t.supervision.next((s) => s.kind === 'link-up');
      t.transport.start();
      await up;
      // A request after the Ping: the link is ordered, so its answer comes after the PingResp.
      const roundTrip = () => t.transport.request({ type: 'GetPPState', ppn: 1 });
      t.timers.advance(DEFAULT_LINK_POLICY.pingEveryMs);
      await roundTrip();
      // The PingResp is in before the next Ping is due, so the second one does not cut the link.
      t.timers.advance(DEFAULT_LINK_POLICY.pingEveryMs);
      await roundTrip();
      assert.equal(t.transport.phase, 'up');
      assert.equal(received(t.sim).filter((n) => n === 'Ping').length, 2);
    });
  });
}

describe('the AXI transport: refusals', () => {
  it('a wrong password: login-refused, and no new attempt for 30 s', async () => {
    const t = await setup({ tls: true, password: 'wrong' });
    const refused = t.supervision.next((s) => s.kind === 'login-refused');
    t.transport.start();
    assert.deepEqual(await refused, { kind: 'login-refused', detail: 'EAuth' });
    assert.equal(t.transport.phase, 'waiting');
    assert.deepEqual(t.timers.pending(), [DEFAULT_LINK_POLICY.loginRefusedMinMs]);
    assert.deepEqual(received(t.sim), ['Open']);
  });

  it('an OMM whose certificate is not the pinned one: never opened, link-down, back-off', async () => {
    const t = await setup({ tls: true, pin: 'wrong' });
    const down = t.supervision.next((s) => s.kind === 'link-down');
    t.transport.start();
    await down;
    assert.deepEqual(received(t.sim), [], 'not even Open was sent');
    assert.deepEqual(t.timers.pending(), [DEFAULT_LINK_POLICY.backoff.baseMs]);
  });

  it('a peer that sends a frame past the size cap is cut off', async () => {
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      s.on('error', () => {});
      s.write(Buffer.alloc(64 * 1024, 0x41));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of accepted) s.destroy();
          server.close(() => resolve());
        }),
    );
    const supervision = new Recorder<string>();
    const transport = new AxiTransport({
      host: '127.0.0.1',
      port: (server.address() as net.AddressInfo).port,
      username: 'omm',
      password: 'omm',
      subscriptions: ALARM_SERVER_SUBSCRIPTIONS,
      timers: new ManualTimers(),
      maxFrameBytes: 16 * 1024,
      onEvent: () => {},
      onSupervision: (kind) => supervision.push(kind),
    });
    cleanups.push(() => transport.stop());
    const down = supervision.next((k) => k === 'link-down');
    transport.start();
    await down;
    assert.equal(transport.phase, 'waiting');
  });
});
