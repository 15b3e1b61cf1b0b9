// ESPA 4.4.4 calls across restarts and link outages, over real loopback TCP (the rig:
// test/support/espa444-inbound-rig.ts). After a restart (a new adapter on the same store, as
// after a process restart, or the same adapter stopped and started, as the console's "restart
// interfaces") the calls raised before are followed again: their changes reach the simulator;
// when they cannot be listed at the start, the next link-up lists them. A status the link could
// not take (it was down) goes out at the next link-up. Timers of both sides run on one manual
// clock; the tests await socket IO and callbacks, never a sleep.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { closeRigs, inboundRig, participant, statuses } from '../support/espa444-inbound-rig.ts';
import { settled } from '../support/settled.ts';

afterEach(closeRigs);

describe('ESPA 4.4.4 inbound: restarts and outages', { timeout: 30_000 }, () => {
  it('after a process restart the calls raised before are followed again: paged, then terminated', async () => {
    const { intake, sim, poll, restart, logs } = await inboundRig();
    assert.equal((await sim.call('211', 'Bed 11')).ok, true);
    assert.equal((await sim.call('212', 'Bed 12')).ok, true);
    await poll();
    assert.deepEqual([statuses(sim, '211'), statuses(sim, '212')], [['2'], ['2']]);
    const [first, second] = [...intake.alarms.keys()];
    // 212 is paged while no adapter runs.
    await restart('process', () => intake.update(second!, { participants: [participant('delivered')] }));
    assert.ok(
      logs.some((l) => /following 2 call\(s\) raised before/.test(l.msg)),
      'both calls are followed again',
    );
    await poll();
    // 212's current status goes out once; 211, still in queue, stays quiet ('2' was sent).
    assert.deepEqual([statuses(sim, '211'), statuses(sim, '212')], [['2'], ['2', '3']]);
    intake.update(first!, { participants: [participant('accepted')] });
    assert.deepEqual(await sim.reset('212'), { ok: true, answers: ['ack'] });
    await poll();
    await poll();
    assert.deepEqual(
      [statuses(sim, '211'), statuses(sim, '212')],
      [
        ['2', '6'],
        ['2', '3', '5'],
      ],
    );
  });

  it('after "restart interfaces" (the same adapter stopped and started, twice) an accept goes back once', async () => {
    const { intake, sim, poll, restart } = await inboundRig();
    assert.equal((await sim.call('213', 'Bed 13')).ok, true);
    await poll();
    const [id] = intake.alarms.keys();
    await restart('interfaces');
    await restart('interfaces');
    intake.update(id!, { participants: [participant('accepted')], ended: true, endReason: 'accepted' });
    await poll();
    await poll();
    assert.deepEqual(statuses(sim, '213'), ['2', '6']);
  });

  it('the calls raised before cannot be listed at the link-up: logged, and listed again at the next', async () => {
    const { timers, intake, sim, poll, restart, supervision, logs } = await inboundRig();
    assert.equal((await sim.call('214', 'Bed 14')).ok, true);
    await poll();
    const [id] = intake.alarms.keys();
    intake.listFails = 1;
    const adapter = await restart('process');
    assert.ok(
      logs.some((l) => l.level === 'warn' && /could not be listed/.test(l.msg)),
      'the failed listing is logged',
    );
    intake.update(id!, { participants: [participant('delivered')] });
    await poll();
    assert.deepEqual(statuses(sim, '214'), ['2'], 'not followed yet');
    const down = supervision.next((s) => s === 'link-down');
    const closed = sim.waitFor((e) => e.dir === 'conn' && e.what === 'closed');
    const reconnected = sim.waitFor((e) => e.dir === 'conn' && e.what === 'connected');
    sim.drop();
    await down;
    await closed;
    timers.advance(1_000); // the simulator reconnects
    await reconnected;
    const up = supervision.next((s) => s === 'link-up');
    await poll(); // its first poll: link-up, and the listing again
    await up;
    await adapter.whenResumed();
    await poll();
    assert.deepEqual(statuses(sim, '214'), ['2', '3']);
    const lists = intake.calls.seen.filter((c) => c.op === 'list').length;
    assert.equal(lists, 3, 'the first link-up, after the restart, after the reconnect');
  });

  it('a status the link could not take (it was down) goes out once the link is up again', async () => {
    const { timers, intake, sim, poll, supervision, logs } = await inboundRig();
    assert.equal((await sim.call('221', 'Bed 21')).ok, true);
    await poll();
    assert.deepEqual(statuses(sim, '221'), ['2']);
    const [id] = intake.alarms.keys();
    const down = supervision.next((s) => s === 'link-down');
    const closed = sim.waitFor((e) => e.dir === 'conn' && e.what === 'closed');
    sim.drop();
    await down;
    await closed; // the simulator's reconnect is armed
    // Paged while the link is down: the status cannot be queued, and is kept.
    intake.update(id!, { participants: [participant('delivered')] });
    await settled(
      () => logs.some((l) => /status 3 for 221 could not be sent: sent again at the next link-up/.test(l.msg)),
      'the lost status is kept',
    );
    const reconnected = sim.waitFor((e) => e.dir === 'conn' && e.what === 'connected');
    timers.advance(1_000); // the simulator reconnects
    await reconnected;
    const up = supervision.next((s) => s === 'link-up');
    await poll(); // its first poll: link-up, and the kept status is queued
    await up;
    await poll();
    await poll();
    assert.deepEqual(statuses(sim, '221'), ['2', '3'], 'sent once, after the outage');
  });
});
