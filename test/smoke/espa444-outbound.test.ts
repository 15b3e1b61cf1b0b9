// ESPA 4.4.4 outbound end to end over real loopback TCP: the adapter as control station (TCP
// client, the Notifier) and the pager-system simulator (paging station, TCP server) with
// scripted status reports. A notification becomes a call block with the pager address, text,
// beep, call type 3, transmissions and the mapped priority, recorded in the device-message
// ledger (an in-memory fake written here); send() resolves once the pager ACKed. Status '3'
// → delivered, '6' → accept by the recipient, '4' → failed; withdraw → a reset block; NAKs
// until the retries run out → a retryable failure and a repeated-naks supervision event; a
// link drop mid-transfer → a retryable failure, a reconnect, and the retry goes under the
// same ledger key and is ACKed once. One manual clock drives both sides: no sleeps.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Espa444Adapter, type Espa444Sink } from '../../adapters/espa444/espa444-adapter.ts';
import { pagerSystem, type StatusStep } from '../../adapters/espa444/espa444-simulator-stations.ts';
import type {
  DeviceMessage,
  DeviceMessageKey,
  DeviceMessageLedger,
  DeviceMessageStatus,
} from '../../src/ports/device-messages.ts';
import type { OutgoingNotification } from '../../src/ports/notifier.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';

const RANK: Record<DeviceMessageStatus, number> = { queued: 0, delivered: 1, answered: 2, failed: 2, withdrawn: 2 };

/** The DeviceMessageLedger port in memory (statuses only move forward; final ones stay). */
class FakeLedger implements DeviceMessageLedger {
  readonly messages: DeviceMessage[] = [];
  async record(
    m: Parameters<DeviceMessageLedger['record']>[0],
    next: (last: DeviceMessageKey | undefined) => DeviceMessageKey,
  ): Promise<DeviceMessage> {
    const have = this.messages.find(
      (x) => x.channel === m.channel && x.alarmId === m.alarmId && x.notificationId === m.notificationId,
    );
    if (have) return have;
    const last = this.messages.filter((x) => x.channel === m.channel).at(-1);
    const key = next(last);
    const msg: DeviceMessage = {
      ...m,
      ...key,
      payload: m.payload ?? null,
      status: 'queued',
      createdAt: m.at,
      updatedAt: m.at,
    };
    this.messages.push(msg);
    return msg;
  }
  async find(channel: string, key: DeviceMessageKey) {
    return this.messages.find((x) => x.channel === channel && x.sendTime === key.sendTime && x.id === key.id);
  }
  async findByNotification(channel: string, alarmId: string, notificationId: string) {
    return this.messages.find(
      (x) => x.channel === channel && x.alarmId === alarmId && x.notificationId === notificationId,
    );
  }
  async advance(channel: string, key: DeviceMessageKey, status: DeviceMessageStatus, at: number): Promise<boolean> {
    const i = this.messages.findIndex((x) => x.channel === channel && x.sendTime === key.sendTime && x.id === key.id);
    const m = this.messages[i];
    if (!m || RANK[m.status] >= RANK[status] || RANK[m.status] === 2) return false;
    this.messages[i] = { ...m, status, updatedAt: at };
    return true;
  }
  async open(channel: string, limit: number) {
    return this.messages.filter((x) => x.channel === channel && RANK[x.status] < 2).slice(0, limit);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const notification = (n: Partial<OutgoingNotification> = {}): OutgoingNotification => ({
  idempotencyKey: 'k1',
  alarmId: 'fire-1',
  notificationId: 'A.0.alice',
  recipient: 'alice',
  text: 'Fire on deck 5',
  priority: 1,
  group: 'A',
  round: 0,
  ...n,
});

async function setup(statusScript: Record<string, readonly StatusStep[]> = {}) {
  const timers = new ManualTimers();
  const pager = pagerSystem({ schedule: timers.set, statusScript });
  const { port } = await pager.start({ mode: 'server', port: 0 });
  const ledger = new FakeLedger();
  const calls = new Recorder<string>();
  /** The delays the adapter arms timers with. */
  const armed = new Recorder<number>();
  const sink: Espa444Sink = {
    delivered: async (alarmId, nid) => calls.push(`delivered ${alarmId} ${nid}`),
    failed: async (alarmId, nid, reason) => calls.push(`failed ${alarmId} ${nid} ${reason}`),
    respond: async (alarmId, response, by, device) => calls.push(`respond ${alarmId} ${response} ${by} ${device}`),
    supervision: (event) => calls.push(`supervision ${event}`),
  };
  const adapter = new Espa444Adapter({
    linkId: 'pagers',
    link: { role: 'control', tcp: { mode: 'client', host: '127.0.0.1', port } },
    now: () => 1_700_000_000_000 + timers.now,
    timers: {
      set: (ms, fn) => {
        armed.push(ms);
        return timers.set(ms, fn);
      },
    },
    ledger,
    sink,
    addressOf: (r) => ({ alice: '4711', bob: '4712' })[r],
    log: (level, msg) => {
      if (process.env.ESPA_DEBUG) console.log(timers.now, level, msg);
    },
  });
  const up = calls.next((c) => c === 'supervision link-up');
  await adapter.start();
  await up;
  cleanups.push(async () => {
    if (process.env.ESPA_DEBUG)
      for (const e of pager.events)
        console.log(
          e.dir,
          e.dir === 'in' ? e.unit.kind : e.dir === 'out' ? `${e.what} ${e.bytes.toString('hex')}` : e.what,
        );
    await adapter.stop();
    await pager.stop();
  });
  return { timers, pager, ledger, calls, adapter, armed };
}

describe('ESPA 4.4.4 outbound: adapter → pager system', { timeout: 30_000 }, () => {
  it('send: the pager receives the call; 3 paged → delivered; 6 acknowledged → accept', async () => {
    const { timers, pager, ledger, calls, adapter, armed } = await setup({
      '4711': [
        { status: '3', afterMs: 1_000 },
        { status: '6', afterMs: 5_000 },
      ],
    });
    assert.deepEqual(await adapter.send(notification()), { ok: true });
    const got = pager.received.filter((r) => r.answer === 'ack').map((r) => r.block);
    assert.deepEqual(got, [
      {
        header: '1',
        records: [
          { id: '1', value: '4711' },
          { id: '2', value: 'Fire on deck 5' },
          { id: '3', value: '1' },
          { id: '4', value: '3' },
          { id: '5', value: '1' },
          { id: '6', value: '1' },
        ],
      },
    ]);
    assert.deepEqual(
      ledger.messages.map((m) => [m.channel, m.address, m.status, m.id]),
      [['espa444', '4711', 'queued', 0]],
    );
    // 2 s on: the adapter polls; resolves once that exchange is over and its next poll is armed.
    const poll = async () => {
      const idle = armed.next((ms) => ms === 2_000);
      timers.advance(2_000);
      await idle;
    };
    await poll(); // status 3 queued at 1 s, fetched by the poll at 2 s
    assert.deepEqual(
      calls.seen.filter((c) => !c.startsWith('supervision')),
      ['delivered fire-1 A.0.alice'],
    );
    await poll(); // 4 s: nothing yet
    await poll(); // status 6 queued at 5 s, fetched by the poll at 6 s
    assert.deepEqual(
      calls.seen.filter((c) => !c.startsWith('supervision')),
      ['delivered fire-1 A.0.alice', 'respond fire-1 accept alice espa444:pagers/4711'],
    );
    assert.equal(ledger.messages[0]!.status, 'answered');
  });

  it('4 absent → failed; priority 5 maps to record 6 = 3; withdraw sends a reset block', async () => {
    const { timers, pager, ledger, calls, adapter } = await setup({ '4712': [{ status: '4', afterMs: 500 }] });
    const n = notification({ alarmId: 'a2', notificationId: 'A.0.bob', recipient: 'bob', priority: 5 });
    assert.deepEqual(await adapter.send(n), { ok: true });
    assert.equal(pager.received[0]!.block.records.find((r) => r.id === '6')!.value, '3');
    const failed = calls.next((c) => c.startsWith('failed'));
    timers.advance(2_000);
    assert.match(await failed, /^failed a2 A\.0\.bob .*absent/);
    // A second notification to alice, then withdrawn: a reset for 4711.
    const n2 = notification({ alarmId: 'a3', notificationId: 'A.0.alice' });
    assert.deepEqual(await adapter.send(n2), { ok: true });
    assert.deepEqual(await adapter.withdraw({ ...n2 }), { ok: true });
    assert.deepEqual(pager.received.at(-1)!.block, {
      header: '1',
      records: [
        { id: '1', value: '4711' },
        { id: '4', value: '1' },
      ],
    });
    assert.equal(ledger.messages.find((m) => m.alarmId === 'a3')!.status, 'withdrawn');
    assert.deepEqual(
      ledger.messages.map((m) => m.id),
      [0, 1],
    );
    // Withdrawing again changes nothing and sends nothing.
    const before = pager.received.length;
    assert.deepEqual(await adapter.withdraw({ ...n2 }), { ok: true });
    assert.equal(pager.received.length, before);
  });

  it('a recipient without a pager address fails for good; NAKs until the retries run out fail retryably', async () => {
    const { pager, calls, adapter } = await setup();
    const none = await adapter.send(notification({ recipient: 'carol' }));
    assert.equal(none.ok, false);
    assert.equal(!none.ok && none.retryable, false);
    pager.nakNext('2', 4);
    const r = await adapter.send(notification({ alarmId: 'a4' }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.retryable, true);
    assert.match(!r.ok ? r.reason : '', /2NAK \(busy\).*4 tries/);
    assert.ok(calls.seen.includes('supervision repeated-naks'));
    assert.deepEqual(
      pager.received.map((x) => x.answer),
      ['2nak', '2nak', '2nak', '2nak'],
    );
  });

  it('the link drops mid-transfer: a retryable failure, a reconnect, and the retry is ACKed once under the same key', async () => {
    const { timers, pager, ledger, calls, adapter } = await setup();
    pager.dropOnNextBlock();
    const down = calls.next((c) => c === 'supervision link-down');
    const first = await adapter.send(notification());
    assert.equal(first.ok, false);
    assert.equal(!first.ok && first.retryable, true);
    await down;
    // While down, a send fails at once and records nothing.
    const whileDown = await adapter.send(notification({ alarmId: 'other' }));
    assert.equal(!whileDown.ok && whileDown.retryable, true);
    const up = calls.next((c) => c === 'supervision link-up');
    timers.advance(1_000); // the back-off's first step
    await up;
    assert.deepEqual(await adapter.send(notification()), { ok: true });
    assert.equal(ledger.messages.length, 1, 'one ledger entry, one key');
    assert.deepEqual(
      pager.received.map((x) => x.answer),
      ['dropped', 'ack'],
    );
  });
  it('1 busy → the same call again after 30 s; a silent pager → link-down after the traffic timeout', async () => {
    const { timers, pager, calls, adapter, armed } = await setup({ '4711': [{ status: '1', afterMs: 500 }] });
    assert.deepEqual(await adapter.send(notification()), { ok: true });
    // 2 s at a time; after each exchange the adapter arms its next poll (a 2 s timer): wait for
    // that, so that every poll is answered over the socket before time moves on.
    const calls1 = () => pager.received.filter((r) => r.block.header === '1').length;
    while (calls1() < 2 && timers.now < 40_000) {
      const idle = armed.next((ms) => ms === 2_000);
      timers.advance(2_000);
      await idle;
    }
    assert.equal(timers.now, 32_000, 'resent 30 s after the busy status came (at 2 s)');
    const sent = pager.received.filter((r) => r.block.header === '1').map((r) => r.block.records[0]!.value);
    assert.deepEqual(sent, ['4711', '4711']);

    pager.silent(true);
    const down = calls.next((c) => c === 'supervision link-down');
    for (let i = 0; i < 6; i++) timers.advance(2_000);
    await down;
    const r = await adapter.send(notification({ alarmId: 'late' }));
    assert.equal(!r.ok && r.retryable, true);
  });
});
