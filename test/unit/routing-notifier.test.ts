// Several channels at once (src/notify/routing-notifier.ts): the first channel that reaches a
// recipient sends to it and takes its notification back; nobody reaches → fails for good.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoutingNotifier } from '../../src/notify/routing-notifier.ts';
import type { Notifier, OutgoingNotification } from '../../src/ports/notifier.ts';

function channel(name: string) {
  const calls: string[] = [];
  const notifier: Notifier = {
    channel: name,
    send: async (n) => {
      calls.push(`send ${n.recipient}`);
      return { ok: true };
    },
    withdraw: async (w) => {
      calls.push(`withdraw ${w.recipient}`);
      return { ok: true };
    },
  };
  return { notifier, calls };
}

const note = (recipient: string): OutgoingNotification => ({
  idempotencyKey: `k-${recipient}`,
  alarmId: 'a1',
  notificationId: `n-${recipient}`,
  recipient,
  text: 'Fire deck 5',
  priority: 1,
  group: 'A',
  round: 0,
});

describe('RoutingNotifier', () => {
  const dect = channel('dect');
  const pager = channel('espa444');
  const handsets = new Set(['alice', 'device:dect:4711']);
  const router = new RoutingNotifier([
    { notifier: dect.notifier, reaches: async (r) => handsets.has(r) },
    { notifier: pager.notifier, reaches: (r) => r.startsWith('device:pager:') || r === 'alice' },
  ]);

  it('names itself after its channels', () => {
    assert.equal(router.channel, 'dect+espa444');
  });

  it('sends each recipient through the first channel that reaches it, and withdraws the same way', async () => {
    for (const r of ['alice', 'device:pager:201', 'device:dect:4711'])
      assert.deepEqual(await router.send(note(r)), { ok: true });
    await router.withdraw({ idempotencyKey: 'w', alarmId: 'a1', notificationId: 'n-alice', recipient: 'alice' });
    await router.withdraw({ idempotencyKey: 'w', alarmId: 'a1', notificationId: 'n', recipient: 'device:pager:201' });
    assert.deepEqual(dect.calls, ['send alice', 'send device:dect:4711', 'withdraw alice']);
    assert.deepEqual(pager.calls, ['send device:pager:201', 'withdraw device:pager:201']);
  });

  it('fails a recipient no channel reaches for good, and has nothing to withdraw for it', async () => {
    assert.deepEqual(await router.send(note('bob')), { ok: false, retryable: false, reason: 'no channel reaches bob' });
    assert.deepEqual(
      await router.withdraw({ idempotencyKey: 'w', alarmId: 'a1', notificationId: 'n-bob', recipient: 'bob' }),
      { ok: true },
    );
  });
});
