// Espa444Inbound.resume (adapters/espa444/espa444-inbound.ts): after a restart, the alarms of
// the link that are still active are followed again as if raised now, '2' taken as sent before
// the restart. Espa444Inbound.relinked: statuses the link could not take are sent again at the
// next link-up, the newest per call. Over the in-memory FakeAlarms (test/support/fake-alarms.ts: it tells a new
// watcher in a microtask, a change at once); status reports are recorded, not sent. Waits are
// turns of the event loop, never time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EspaBlock } from '../../adapters/espa444/espa444-codec.ts';
import { ESPA444_ADAPTER, Espa444Inbound } from '../../adapters/espa444/espa444-inbound.ts';
import type { ActiveAlarm } from '../../src/ports/alarm-intake.ts';
import { FakeAlarms } from '../support/fake-alarms.ts';

/** FakeAlarms whose listing can be held (a slow store) while the test acts. */
class SlowList extends FakeAlarms {
  /** While held, the listing waits before it reads. */
  beforeRead: Promise<void> | undefined;
  /** While held, the listing waits after it read, before it answers. */
  beforeAnswer: Promise<void> | undefined;
  override async activeUnder(adapter: string, devicePrefix: string): Promise<readonly ActiveAlarm[]> {
    await this.beforeRead;
    const listed = await super.activeUnder(adapter, devicePrefix);
    await this.beforeAnswer;
    return listed;
  }
}

/** A held promise and its release. */
function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

function setup() {
  const alarms = new SlowList();
  const reports: string[] = [];
  const logs: { level: string; msg: string }[] = [];
  /** While true the link takes no status (it is down). */
  const link = { down: false };
  const inbound = new Espa444Inbound({
    linkId: 'ward',
    intake: alarms,
    watch: alarms,
    rules: [{ alarmType: 'nurse-call' }],
    now: () => 1_700_000_000_000,
    report: async (address, status) => {
      if (link.down) throw new Error('the link is down');
      reports.push(`${address}:${status}`);
    },
    log: (level, msg) => logs.push({ level, msg }),
  });
  /** An alarm raised before the restart (by this adapter, another link or another adapter). */
  const before = (id: string, device: string, adapter = ESPA444_ADAPTER) =>
    alarms.raise({ id, alarmType: 'nurse-call', source: { adapter, device } });
  return { alarms, inbound, reports, logs, before, link };
}

/** One turn of the event loop: the fake's first call to a new watcher has come. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A call block to `address`; `reset`: call type '1', the call is over. */
const call = (address: string, reset = false): EspaBlock => ({
  header: '1',
  kind: 'call',
  records: [
    { type: 'address', id: '1', value: address },
    ...(reset ? [{ type: 'call-type' as const, id: '4', value: '1', callType: undefined }] : []),
  ],
});

describe('Espa444Inbound.resume', () => {
  it('an alarm paged before the restart: 3 once, then 6 when accepted; never 2 again', async () => {
    const { alarms, inbound, reports, before } = setup();
    await before('a1', 'ward/201');
    alarms.participant('a1', 'alice', 'delivered');
    await inbound.resume();
    await turn();
    assert.deepEqual(reports, ['201:3']);
    assert.equal(inbound.resumed, true);
    alarms.participant('a1', 'alice', 'delivered'); // the same progress again: nothing new
    alarms.participant('a1', 'alice', 'accepted');
    assert.deepEqual(reports, ['201:3', '201:6']);
  });

  it('an alarm still in queue: nothing until it changes', async () => {
    const { alarms, inbound, reports, before } = setup();
    await before('a1', 'ward/202');
    await inbound.resume();
    await turn();
    assert.deepEqual(reports, [], "'2' was reported when it was raised");
    alarms.participant('a1', 'alice', 'delivered');
    alarms.update('a1', { ended: true, endReason: 'cancelled' });
    assert.deepEqual(reports, ['202:3', '202:5']);
  });

  it('alarms of another link (ward2/, icu/), of another adapter, or ended are not followed', async () => {
    const { alarms, inbound, reports, before } = setup();
    await before('other-link', 'ward2/201');
    await before('icu', 'icu/201');
    await before('espax', 'ward/201', 'espax');
    await before('ended', 'ward/203');
    alarms.update('ended', { ended: true, endReason: 'accepted' });
    await inbound.resume();
    await turn();
    for (const id of ['other-link', 'icu', 'espax']) alarms.participant(id, 'alice', 'accepted');
    // An alarm that ended while the adapter was stopped gets no final status (documented).
    assert.deepEqual(reports, []);
  });

  it('resumed twice, one after the other and at once: each status is reported once', async () => {
    const { alarms, inbound, reports, before } = setup();
    await before('a1', 'ward/204');
    alarms.participant('a1', 'alice', 'delivered');
    await inbound.resume();
    await Promise.all([inbound.resume(), inbound.resume()]);
    await turn();
    alarms.participant('a1', 'alice', 'accepted');
    assert.deepEqual(reports, ['204:3', '204:6']);
  });

  describe('an alarm a call raised and a reset ended while the listing ran is not followed again', () => {
    // The listing read it while it was active; without a guard it would be followed again and
    // its '5' sent twice.
    for (const when of ['before the resume', 'while the listing runs'] as const)
      it(`the call comes ${when}`, async () => {
        const { alarms, inbound, reports } = setup();
        const read = held();
        const answer = held();
        alarms.beforeRead = read.promise;
        alarms.beforeAnswer = answer.promise;
        if (when === 'before the resume') assert.equal(await inbound.onCall(call('205')), 'accepted');
        const resuming = inbound.resume();
        if (when === 'while the listing runs') assert.equal(await inbound.onCall(call('205')), 'accepted');
        read.release();
        await turn(); // the listing has read the active alarm
        assert.equal(await inbound.onCall(call('205', true)), 'accepted'); // a reset ends it
        answer.release();
        await resuming;
        await turn();
        assert.deepEqual(reports, ['205:2', '205:5']);
      });
  });

  it('the store is down: logged at warn, no throw, and the next resume follows', async () => {
    const { alarms, inbound, reports, logs, before } = setup();
    await before('a1', 'ward/206');
    alarms.participant('a1', 'alice', 'delivered');
    alarms.down = true;
    await inbound.resume();
    assert.equal(inbound.resumed, false);
    assert.ok(
      logs.some((l) => l.level === 'warn' && /could not be listed/.test(l.msg)),
      'the failed listing is logged',
    );
    alarms.down = false;
    await inbound.resume();
    await turn();
    assert.equal(inbound.resumed, true);
    assert.deepEqual(reports, ['206:3']);
  });

  it('stopped while the listing runs: nothing is followed; a resume after the stop lists again', async () => {
    const { alarms, inbound, reports, before } = setup();
    await before('a1', 'ward/207');
    alarms.participant('a1', 'alice', 'delivered');
    const answer = held();
    alarms.beforeAnswer = answer.promise;
    const stale = inbound.resume();
    inbound.stop();
    assert.equal(inbound.resumed, false);
    answer.release();
    await stale;
    await turn();
    assert.deepEqual(reports, []);
    assert.equal(inbound.resumed, false);
    alarms.beforeAnswer = undefined;
    await inbound.resume();
    await turn();
    assert.deepEqual(reports, ['207:3']);
  });
});

describe('Espa444Inbound.relinked', () => {
  it('a status the link could not take is sent at the next link-up, the newest per call, once', async () => {
    const { alarms, inbound, reports, logs, link } = setup();
    assert.equal(await inbound.onCall(call('201')), 'accepted');
    assert.equal(await inbound.onCall(call('202')), 'accepted');
    await turn();
    assert.deepEqual(reports, ['201:2', '202:2']);
    const [a201, a202] = [...alarms.alarms.keys()];
    link.down = true;
    alarms.participant(a201!, 'alice', 'delivered'); // 3: lost
    alarms.participant(a201!, 'alice', 'accepted'); // 6: lost, the newest
    alarms.update(a202!, { ended: true, endReason: 'cancelled' }); // 5: lost, and no longer followed
    await turn();
    assert.deepEqual(reports, ['201:2', '202:2']);
    assert.ok(logs.some((l) => l.level === 'warn' && /sent again at the next link-up/.test(l.msg)));
    link.down = false;
    inbound.relinked();
    await turn();
    assert.deepEqual(reports, ['201:2', '202:2', '201:6', '202:5']);
    inbound.relinked(); // nothing left
    await turn();
    assert.equal(reports.length, 4);
  });

  it('a newer status sent meanwhile wins over an older one that failed', async () => {
    const { alarms, inbound, reports, link } = setup();
    assert.equal(await inbound.onCall(call('203')), 'accepted');
    await turn();
    const [a] = [...alarms.alarms.keys()];
    link.down = true;
    alarms.participant(a!, 'alice', 'delivered'); // 3 fails
    link.down = false;
    alarms.participant(a!, 'alice', 'accepted'); // 6 goes through
    await turn();
    inbound.relinked();
    await turn();
    assert.deepEqual(reports, ['203:2', '203:6'], 'the lost 3 is not sent after the 6');
  });

  it('a send that fails at the next link-up too is kept for the one after', async () => {
    const { alarms, inbound, reports, link } = setup();
    assert.equal(await inbound.onCall(call('204')), 'accepted');
    await turn();
    const [a] = [...alarms.alarms.keys()];
    link.down = true;
    alarms.update(a!, { ended: true, endReason: 'cancelled' });
    await turn();
    inbound.relinked(); // the link dropped again at once
    await turn();
    link.down = false;
    inbound.relinked();
    await turn();
    assert.deepEqual(reports, ['204:2', '204:5']);
  });
});
