// ESPA 4.4.4 inbound end to end over real loopback TCP (the rig: test/support/espa444-inbound-rig.ts,
// the nurse-call simulator calling the adapter, an in-memory AlarmIntake and AlarmWatch): a
// call raises an alarm and is ACKed only after the raise resolved; progress goes back as status
// blocks ('2', '3', '6', each once); a repeated call raises nothing new; a reset cancels; the
// store down → '2'NAK and the simulator's resend is ACKed; a corrupt BCC → '1'NAK and the
// resend; an unmapped call → '3'NAK; garbage is skipped; a second TCP peer is refused; a link
// drop while the alarm is being recorded loses nothing and raises nothing twice. Timers of both
// sides run on one manual clock; the tests await socket IO and callbacks, never a sleep.
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { firePanel } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { closeRigs, inboundRig, participant, statuses } from '../support/espa444-inbound-rig.ts';

afterEach(closeRigs);

describe('ESPA 4.4.4 inbound: nurse call → adapter', { timeout: 30_000 }, () => {
  it('a call raises an alarm, ACKed only after the raise; progress goes back once per status', async () => {
    const { intake, sim, poll } = await inboundRig();
    let release!: () => void;
    intake.gate = new Promise((r) => (release = r));
    const raising = intake.calls.next((c) => c.op === 'raise');
    const outcome = sim.call('201', 'Room 201 bed 2');
    const { id } = await raising;
    assert.equal(sim.events.filter((e) => e.dir === 'in' && e.unit.kind === 'ack').length, 1, 'only the select ACK');
    release();
    assert.deepEqual(await outcome, { ok: true, answers: ['ack'] });
    const alarm = intake.alarms.get(id)!.a;
    assert.equal(alarm.alarmType, 'nurse-call');
    assert.equal(alarm.text, 'Room 201 bed 2');
    assert.deepEqual(alarm.source, { adapter: 'espa444', device: 'ward/201' });
    assert.match(id, /^espa444-ward-201-/);

    // '2' in queue reaches the nurse call at its next poll.
    await poll();
    assert.deepEqual(statuses(sim, '201'), ['2']);
    // A participant reached: '3' paged; she accepts: '6'; it ends accepted: nothing more.
    intake.update(id, { participants: [participant('delivered')] });
    await poll();
    assert.deepEqual(statuses(sim, '201'), ['2', '3']);
    intake.update(id, { participants: [participant('accepted')] });
    await poll();
    intake.update(id, { participants: [participant('accepted')], ended: true, endReason: 'accepted' });
    await poll();
    await poll();
    assert.deepEqual(statuses(sim, '201'), ['2', '3', '6']);
  });

  it('a repeated call while the alarm is active raises nothing new; a reset cancels it and reports 5', async () => {
    const { timers, intake, sim, poll } = await inboundRig();
    assert.equal((await sim.call('202', 'Bed 2')).ok, true);
    assert.equal((await sim.call('202', 'Bed 2')).ok, true);
    assert.equal([...intake.alarms.keys()].length, 1);
    const [id] = intake.alarms.keys();
    const cancelled = intake.calls.next((c) => c.op === 'cancelled');
    assert.deepEqual(await sim.reset('202'), { ok: true, answers: ['ack'] });
    assert.equal((await cancelled).id, id);
    await poll();
    assert.deepEqual(statuses(sim, '202'), ['2', '5']);
    // After the reset the next call is a new episode: a new alarm.
    timers.advance(1);
    assert.equal((await sim.call('202', 'Bed 2 again')).ok, true);
    assert.equal(intake.alarms.size, 2);
  });

  it('the store is down: 2NAK, the simulator resends, the same alarm id is raised once', async () => {
    const { intake, sim, adapter } = await inboundRig();
    intake.failNext = 1;
    const outcome = await sim.call('203', 'Bed 3');
    assert.deepEqual(outcome, { ok: true, answers: ['2nak', 'ack'] });
    const raises = intake.calls.seen.filter((c) => c.op === 'raise').map((c) => c.id);
    assert.equal(raises.length, 2);
    assert.equal(raises[0], raises[1], 'the resend uses the episode id');
    assert.equal(intake.alarms.size, 1);
    assert.equal(adapter.stats?.raised, 1);
  });

  it('a corrupt BCC: 1NAK, and the resend is ACKed', async () => {
    const { intake, sim } = await inboundRig();
    sim.corruptNext();
    assert.deepEqual(await sim.call('204', 'Bed 4'), { ok: true, answers: ['1nak', 'ack'] });
    assert.equal(intake.alarms.size, 1);
  });

  it('an unmapped call and an unknown alarm type are refused with 3NAK, logged with the link id', async () => {
    const { intake, sim, adapter, logs } = await inboundRig();
    const unmapped = await sim.call('777', 'Nowhere');
    assert.deepEqual(unmapped, { ok: false, answers: ['3nak', '3nak', '3nak', '3nak'] });
    assert.equal(adapter.stats?.unmapped, 4);
    assert.ok(logs.some((l) => l.fields?.link === 'ward' && /777 matches no rule/.test(l.msg)));
    const unknownType = await sim.call('901', 'Misconfigured');
    assert.equal(unknownType.answers[0], '3nak');
    assert.equal(intake.alarms.size, 0);
  });

  it('a fire panel call (priority 1) maps by priority; garbage before it is skipped and logged', async () => {
    const { intake, sim, logs } = await inboundRig((o) => firePanel(o));
    sim.garbage(Buffer.from('\x00\xffnoise\x03'));
    assert.equal((await sim.call('205', 'Smoke detector 12')).ok, true);
    assert.equal([...intake.alarms.values()][0]!.a.alarmType, 'nurse-emergency');
    assert.ok(logs.some((l) => /stray byte|garbage/.test(l.msg) && l.fields?.link === 'ward'));
  });

  it('a second TCP peer is refused while the first is connected', async () => {
    const { adapter, logs, sim } = await inboundRig();
    const port = (adapter.transport as unknown as { server: net.Server }).server.address() as net.AddressInfo;
    const second = net.connect({ host: '127.0.0.1', port: port.port });
    await new Promise<void>((resolve) => second.once('close', () => resolve()));
    assert.ok(logs.some((l) => /second connection was refused/.test(l.msg)));
    assert.equal((await sim.call('206', 'Still fine')).ok, true);
  });

  it('the link drops while the alarm is being recorded: the resend after reconnecting raises nothing twice', async () => {
    const { timers, intake, sim, supervision } = await inboundRig();
    let release!: () => void;
    intake.gate = new Promise((r) => (release = r));
    const raising = intake.calls.next((c) => c.op === 'raise');
    const outcome = sim.call('207', 'Bed 7');
    await raising;
    const down = supervision.next((s) => s === 'link-down');
    const simClosed = sim.waitFor((e) => e.dir === 'conn' && e.what === 'closed');
    sim.drop();
    await down;
    await simClosed; // its reconnect is armed
    release();
    await intake.calls.next((c) => c.op === 'raised');
    intake.gate = undefined;
    const up = supervision.next((s) => s === 'link-up');
    timers.advance(1_000); // the simulator reconnects and sends its call again
    await up;
    assert.deepEqual(await outcome, { ok: true, answers: ['ack'] });
    assert.equal(intake.alarms.size, 1);
    assert.equal(intake.calls.seen.filter((c) => c.op === 'raise').length, 1, 'the resend found the active alarm');
  });
});
