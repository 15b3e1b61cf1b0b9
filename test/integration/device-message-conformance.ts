/**
 * The DeviceMessageLedger conformance suite: one set of cases, run against PostgreSQL
 * (store-pg.test.ts) and PGlite (store-pglite.test.ts) through `store.deviceMessages`. Every
 * case starts from empty ledger tables. Keys come from a test `next`: the first key is
 * (100, 0), then the id counts up in the same second.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DeviceMessageKey, DeviceMessageStatus } from '../../src/ports/device-messages.ts';
import type { DeviceMessageInput, KyselyDeviceMessageStore } from '../../src/store/kysely-device-message-store.ts';
import type { TestStore } from '../support/services.ts';

const T = Date.UTC(2026, 10, 27, 8, 0, 0);

const next = (l: DeviceMessageKey | undefined): DeviceMessageKey =>
  l ? { sendTime: l.sendTime, id: l.id + 1 } : { sendTime: 100, id: 0 };
const keyOf = (m: DeviceMessageKey): DeviceMessageKey => ({ sendTime: m.sendTime, id: m.id });
const input = (notificationId: string, o: Partial<DeviceMessageInput> = {}): DeviceMessageInput => ({
  channel: 'dect',
  alarmId: 'a1',
  notificationId,
  recipient: 'alice',
  address: 'tel:4711',
  at: T,
  ...o,
});

export function deviceMessageConformance(name: string, make: () => Promise<TestStore>): void {
  describe(`DeviceMessageLedger conformance: ${name}`, () => {
    let t: TestStore;
    let ledger: KyselyDeviceMessageStore;

    before(async () => {
      t = await make();
      ledger = t.store.deviceMessages;
    });
    after(async () => {
      await t.cleanup();
    });
    beforeEach(async () => {
      await t.store.db.deleteFrom('device_messages').execute();
      await t.store.db.deleteFrom('device_message_keys').execute();
    });

    it('the first record gets next(undefined), later ones next(last); the message is stored as given, queued', async () => {
      const seen: (DeviceMessageKey | undefined)[] = [];
      const spy = (l: DeviceMessageKey | undefined) => (seen.push(l), next(l));
      const a = await ledger.record(input('n1', { at: T + 0.7 }), spy);
      const b = await ledger.record(input('n2', { alarmId: 'a2', recipient: 'device:ward', address: 'tel:12' }), spy);
      assert.deepEqual(seen, [undefined, { sendTime: 100, id: 0 }]);
      assert.deepEqual(a, {
        channel: 'dect',
        sendTime: 100,
        id: 0,
        alarmId: 'a1',
        notificationId: 'n1',
        recipient: 'alice',
        address: 'tel:4711',
        payload: null, // none given
        status: 'queued',
        createdAt: T, // whole milliseconds
        updatedAt: T,
      });
      assert.deepEqual([b.sendTime, b.id, b.alarmId, b.recipient, b.address], [100, 1, 'a2', 'device:ward', 'tel:12']);
    });

    it('a payload round-trips as JSON', async () => {
      const payload = { text: 'Fire ü', prio: 1, nested: [true, null] };
      const m = await ledger.record(input('n1', { payload }), next);
      assert.deepEqual(m.payload, payload);
      assert.deepEqual((await ledger.find('dect', m))?.payload, payload);
    });

    it('is idempotent per notification: the same message again, next not called, no key consumed', async () => {
      const a = await ledger.record(input('n1'), next);
      await ledger.advance('dect', a, 'delivered', T + 5);
      let called = 0;
      const again = await ledger.record(input('n1', { at: T + 9, address: 'tel:other' }), (l) => (called++, next(l)));
      assert.equal(called, 0);
      assert.deepEqual(again, { ...a, status: 'delivered', updatedAt: T + 5 }, 'the stored message, unchanged');
      const b = await ledger.record(input('n2'), next);
      assert.deepEqual(keyOf(b), { sendTime: 100, id: 1 }, 'the next key follows directly');
      // The same notification id of another alarm is another notification.
      const c = await ledger.record(input('n1', { alarmId: 'a2' }), next);
      assert.deepEqual(keyOf(c), { sendTime: 100, id: 2 });
    });

    it('20 concurrent records on one channel get 20 distinct keys, exactly the chain next(next(…))', async () => {
      const ms = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.record(input(`n${i}`), next)));
      const ids = ms.map((m) => m.id).sort((x, y) => x - y);
      assert.deepEqual(
        ids,
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.ok(ms.every((m) => m.sendTime === 100));
      // Each notification still finds its own key.
      for (const m of ms) assert.deepEqual(await ledger.findByNotification('dect', 'a1', m.notificationId), m);
    });

    it('concurrent records of the same notification all get the one message', async () => {
      const ms = await Promise.all(Array.from({ length: 5 }, () => ledger.record(input('n1'), next)));
      for (const m of ms) assert.deepEqual(m, ms[0]);
      assert.deepEqual(keyOf(await ledger.record(input('n2'), next)), { sendTime: 100, id: 1 });
    });

    it('channels are independent: each has its own chain, and the same key on two channels is two messages', async () => {
      const a = await ledger.record(input('n1', { channel: 'dect' }), next);
      const b = await ledger.record(input('n1', { channel: 'dect-2' }), next);
      const c = await ledger.record(input('n2', { channel: 'dect' }), next);
      assert.deepEqual(
        [keyOf(a), keyOf(b), keyOf(c)],
        [
          { sendTime: 100, id: 0 },
          { sendTime: 100, id: 0 },
          { sendTime: 100, id: 1 },
        ],
      );
      assert.equal((await ledger.find('dect-2', b))?.channel, 'dect-2');
      await ledger.advance('dect', a, 'answered', T + 1);
      assert.equal((await ledger.find('dect-2', b))?.status, 'queued', 'advancing one channel leaves the other');
      assert.deepEqual(await ledger.open('dect-2', 10), [b]);
    });

    it('find by key and findByNotification; unknown ones are undefined', async () => {
      const a = await ledger.record(input('n1'), next);
      const b = await ledger.record(input('n2'), next);
      assert.deepEqual(await ledger.find('dect', { sendTime: 100, id: 1 }), b);
      assert.deepEqual(await ledger.findByNotification('dect', 'a1', 'n1'), a);
      assert.equal(await ledger.find('dect', { sendTime: 100, id: 2 }), undefined);
      assert.equal(await ledger.find('dect', { sendTime: 101, id: 0 }), undefined);
      assert.equal(await ledger.find('other', keyOf(a)), undefined);
      assert.equal(await ledger.findByNotification('dect', 'a2', 'n1'), undefined);
      assert.equal(await ledger.findByNotification('other', 'a1', 'n1'), undefined);
    });

    // from → to: whether advance moves (true) or writes nothing (false).
    const S: DeviceMessageStatus[] = ['queued', 'delivered', 'answered', 'failed', 'withdrawn'];
    const moves: Record<DeviceMessageStatus, readonly DeviceMessageStatus[]> = {
      queued: ['delivered', 'answered', 'failed', 'withdrawn'], // forward to anything after it
      delivered: ['answered', 'failed', 'withdrawn'], // never back to queued, not delivered twice
      answered: [], // final
      failed: [], // final
      withdrawn: [], // final
    };
    for (const from of S) {
      it(`advance from ${from}: forward only, final states stay`, async () => {
        for (const to of S) {
          await t.store.db.deleteFrom('device_messages').execute();
          const m = await ledger.record(input(`n-${to}`), next);
          if (from !== 'queued') assert.equal(await ledger.advance('dect', m, from, T + 1), true);
          const moved = await ledger.advance('dect', m, to, T + 2);
          const expected = moves[from].includes(to);
          assert.equal(moved, expected, `${from} → ${to}`);
          const now = await ledger.find('dect', m);
          assert.equal(now?.status, expected ? to : from, `${from} → ${to}: status`);
          assert.equal(now?.updatedAt, expected ? T + 2 : from === 'queued' ? T : T + 1, `${from} → ${to}: updatedAt`);
          assert.equal(now?.createdAt, T);
        }
      });
    }

    it('advance of an unknown message is false', async () => {
      assert.equal(await ledger.advance('dect', { sendTime: 100, id: 0 }, 'delivered', T), false);
      const m = await ledger.record(input('n1'), next);
      assert.equal(await ledger.advance('other', m, 'delivered', T), false);
      assert.equal((await ledger.find('dect', m))?.status, 'queued');
    });

    it('open lists queued and delivered messages, oldest first (by created time, not key), at most limit', async () => {
      await ledger.record(input('n0', { at: T + 30 }), next);
      const m1 = await ledger.record(input('n1', { at: T + 10 }), next);
      await ledger.record(input('n2', { at: T + 20 }), next);
      const m3 = await ledger.record(input('n3', { at: T + 5 }), next);
      const m4 = await ledger.record(input('n4', { at: T + 40 }), next);
      await ledger.advance('dect', m1, 'delivered', T + 50);
      await ledger.advance('dect', m3, 'answered', T + 50);
      await ledger.advance('dect', m4, 'withdrawn', T + 50);
      const ids = async (limit: number) => (await ledger.open('dect', limit)).map((m) => m.notificationId);
      assert.deepEqual(await ids(10), ['n1', 'n2', 'n0']);
      assert.deepEqual(await ids(2), ['n1', 'n2']);
      assert.deepEqual((await ledger.open('dect', 10))[0], { ...m1, status: 'delivered', updatedAt: T + 50 });
      assert.deepEqual(await ledger.open('other', 10), []);
    });

    it('a duplicate key from a bad next is refused and writes nothing', async () => {
      const a = await ledger.record(input('n1'), next);
      const stuck = () => ({ sendTime: 100, id: 0 });
      await assert.rejects(ledger.record(input('n2', { payload: { x: 1 } }), stuck), {
        name: 'TocsinError',
        code: 'conflict',
      });
      assert.equal(await ledger.findByNotification('dect', 'a1', 'n2'), undefined);
      assert.deepEqual(await ledger.find('dect', a), a, 'the first message is untouched');
      // The channel's last key is still (100, 0): nothing of the failed record stayed.
      const b = await ledger.record(input('n2'), next);
      assert.deepEqual(keyOf(b), { sendTime: 100, id: 1 });
    });

    it('a key that is not storable (not integers, id beyond int4) is refused and writes nothing', async () => {
      await assert.rejects(
        ledger.record(input('n1'), () => ({ sendTime: 100.5, id: 0 })),
        RangeError,
      );
      await assert.rejects(
        ledger.record(input('n1'), () => ({ sendTime: 100, id: 2 ** 31 })),
        RangeError,
      );
      assert.equal(await ledger.findByNotification('dect', 'a1', 'n1'), undefined);
      const seen: (DeviceMessageKey | undefined)[] = [];
      await ledger.record(input('n1'), (l) => (seen.push(l), next(l)));
      assert.deepEqual(seen, [undefined], 'still no last key');
    });
  });
}
