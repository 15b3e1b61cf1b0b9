// ESPA 4.4.4 inbound end to end over real loopback TCP: the nurse-call simulator (a control
// station, TCP client) calls the adapter (paging station, TCP server) whose AlarmIntake and
// AlarmWatch are an in-memory fake written here. A call raises an alarm and is ACKed only
// after the raise resolved; progress goes back as status blocks ('2', '3', '6', each once);
// a repeated call raises nothing new; a reset cancels; the store down → '2'NAK and the
// simulator's resend is ACKed; a corrupt BCC → '1'NAK and the resend; an unmapped call →
// '3'NAK; garbage is skipped; a second TCP peer is refused; a link drop while the alarm is
// being recorded loses nothing and raises nothing twice. After a restart (a new adapter on the
// same store, as after a process restart, or the same adapter stopped and started, as the
// console's "restart interfaces") the calls raised before are followed again: their changes
// reach the simulator; when they cannot be listed at the start, the next link-up lists them.
// Timers of both sides run on one manual clock; the tests await socket IO and callbacks, never
// a sleep.
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { Espa444Adapter } from '../../adapters/espa444/espa444-adapter.ts';
import { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { firePanel, nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { TocsinError } from '../../src/domain/errors.ts';
import type {
  ActiveAlarm,
  AlarmIntake,
  AlarmParticipant,
  AlarmProgress,
  AlarmWatch,
  IncomingAlarm,
} from '../../src/ports/alarm-intake.ts';
import type { AlarmSource } from '../../src/domain/alarm.ts';
import { ManualTimers, Recorder } from '../support/manual-timers.ts';

/** AlarmIntake and AlarmWatch in memory, with a store that can be down or slow. */
class FakeIntake implements AlarmIntake, AlarmWatch {
  readonly alarms = new Map<string, { a: IncomingAlarm; progress: AlarmProgress }>();
  readonly calls = new Recorder<{ op: string; id: string }>();
  /** Raises to refuse (store down) before one succeeds. */
  failNext = 0;
  /** When set, raise waits for it. */
  gate: Promise<void> | undefined;
  /** Listings (activeUnder) to refuse (store down) before one succeeds. */
  listFails = 0;
  private readonly listeners = new Map<string, Set<(p: AlarmProgress) => void | Promise<void>>>();

  async raise(a: IncomingAlarm): Promise<{ readonly created: boolean }> {
    this.calls.push({ op: 'raise', id: a.id });
    await this.gate;
    if (a.alarmType === 'nonexistent') throw new TocsinError('unknown-alarm-type', 'no alarm type nonexistent');
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the store is down');
    }
    if (this.alarms.has(a.id)) return { created: false };
    this.alarms.set(a.id, { a, progress: { alarmId: a.id, state: '"notify"', ended: false, participants: [] } });
    this.calls.push({ op: 'raised', id: a.id });
    return { created: true };
  }
  async active(source: AlarmSource): Promise<readonly string[]> {
    return [...this.alarms.values()]
      .filter((x) => x.a.source.adapter === source.adapter && x.a.source.device === source.device && !x.progress.ended)
      .map((x) => x.a.id);
  }
  async activeUnder(adapter: string, devicePrefix: string): Promise<readonly ActiveAlarm[]> {
    this.calls.push({ op: 'list', id: devicePrefix });
    if (this.listFails > 0) {
      this.listFails--;
      throw new Error('the store is down');
    }
    return [...this.alarms.values()]
      .filter((x) => x.a.source.adapter === adapter && x.a.source.device!.startsWith(devicePrefix) && !x.progress.ended)
      .map((x) => ({ id: x.a.id, device: x.a.source.device! }));
  }
  async cancel(alarmId: string): Promise<boolean> {
    const x = this.alarms.get(alarmId);
    if (!x || x.progress.ended) return false;
    this.update(alarmId, { ended: true, endReason: 'cancelled' });
    this.calls.push({ op: 'cancelled', id: alarmId });
    return true;
  }
  watch(alarmId: string, listener: (p: AlarmProgress) => void | Promise<void>): () => void {
    const x = this.alarms.get(alarmId);
    if (!x) return () => {};
    const set = this.listeners.get(alarmId) ?? new Set();
    this.listeners.set(alarmId, set);
    set.add(listener);
    void listener(x.progress);
    return () => set.delete(listener);
  }
  update(alarmId: string, p: Partial<AlarmProgress>): void {
    const x = this.alarms.get(alarmId)!;
    x.progress = { ...x.progress, ...p };
    for (const l of this.listeners.get(alarmId) ?? []) void l(x.progress);
  }
}

const participant = (status: AlarmParticipant['status']): AlarmParticipant => ({
  notificationId: 'A.0.alice',
  recipient: 'alice',
  status,
  at: 0,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(station: (o: { schedule: ManualTimers['set'] }) => EspaStation = nurseCallStation) {
  const timers = new ManualTimers();
  const intake = new FakeIntake();
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const supervision = new Recorder<string>();
  // Mutable: once the first start got a port, a restart listens there again (as a configured
  // port would), where the simulator dials again.
  const tcp = { mode: 'server' as const, host: '127.0.0.1', port: 0 };
  const newAdapter = () =>
    new Espa444Adapter({
      linkId: 'ward',
      link: { role: 'paging', tcp },
      now: () => 1_700_000_000_000 + timers.now,
      timers,
      log: (level, msg, fields) => {
        logs.push({ level, msg, ...(fields ? { fields } : {}) });
        if (process.env.ESPA_DEBUG) console.log(timers.now, level, msg);
      },
      intake,
      watch: intake,
      rules: [
        { address: '9*', alarmType: 'nonexistent' },
        { address: '2*', priority: '1', alarmType: 'nurse-emergency' },
        { address: '2*', alarmType: 'nurse-call' },
        { address: '5??', alarmType: 'fire' },
      ],
      sink: {
        delivered: async () => {},
        failed: async () => {},
        respond: async () => {},
        supervision: supervision.push,
      },
    });
  let adapter = newAdapter();
  const { port } = await adapter.start();
  tcp.port = port!;
  /** The delays the simulator arms timers with (2 s: its next poll, once an exchange is over). */
  const simArmed = new Recorder<number>();
  const sim = station({
    schedule: (ms, fn) => {
      simArmed.push(ms);
      return timers.set(ms, fn);
    },
  });
  const up = supervision.next((s) => s === 'link-up');
  await sim.start({ mode: 'client', host: '127.0.0.1', port: port! });
  cleanups.push(async () => {
    if (process.env.ESPA_DEBUG)
      for (const e of sim.events)
        console.log(
          e.dir,
          e.dir === 'in' ? JSON.stringify(e.unit) : e.dir === 'out' ? `${e.what} ${e.bytes.toString('hex')}` : e.what,
        );
    await sim.stop();
    await adapter.stop();
  });
  /** 2 s on: the simulator polls; resolves once that exchange is over and its next poll is armed. */
  const poll = async () => {
    const idle = simArmed.next((ms) => ms === 2_000);
    timers.advance(2_000);
    await idle;
  };
  /**
   * Stops the adapter, then starts a new one on the same intake (`process`: as after a process
   * restart) or the same one again (`interfaces`: as the console's "restart interfaces");
   * resolves with it once the simulator is linked again (its first poll) and the calls raised
   * before are followed (or could not be listed). `whileDown` runs while the adapter is stopped.
   */
  const restart = async (how: 'process' | 'interfaces', whileDown: () => void = () => {}) => {
    const closed = sim.waitFor((e) => e.dir === 'conn' && e.what === 'closed');
    await adapter.stop();
    await closed; // the simulator's reconnect is armed
    whileDown();
    if (how === 'process') adapter = newAdapter();
    const reconnected = sim.waitFor((e) => e.dir === 'conn' && e.what === 'connected');
    await adapter.start();
    timers.advance(1_000); // the simulator reconnects
    await reconnected;
    const relinked = supervision.next((s) => s === 'link-up');
    await poll();
    await relinked;
    await adapter.whenResumed();
    return adapter;
  };
  return { timers, intake, adapter, sim, logs, supervision, up, poll, restart };
}

/** The status values the simulator received for `address`, in order. */
const statuses = (sim: EspaStation, address: string) =>
  sim.received
    .filter((r) => r.answer === 'ack' && r.block.header === '2' && r.block.records[0]?.value === address)
    .map((r) => r.block.records[1]!.value);

describe('ESPA 4.4.4 inbound: nurse call → adapter', { timeout: 30_000 }, () => {
  it('a call raises an alarm, ACKed only after the raise; progress goes back once per status', async () => {
    const { intake, sim, poll } = await setup();
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
    const { timers, intake, sim, poll } = await setup();
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
    const { intake, sim, adapter } = await setup();
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
    const { intake, sim } = await setup();
    sim.corruptNext();
    assert.deepEqual(await sim.call('204', 'Bed 4'), { ok: true, answers: ['1nak', 'ack'] });
    assert.equal(intake.alarms.size, 1);
  });

  it('an unmapped call and an unknown alarm type are refused with 3NAK, logged with the link id', async () => {
    const { intake, sim, adapter, logs } = await setup();
    const unmapped = await sim.call('777', 'Nowhere');
    assert.deepEqual(unmapped, { ok: false, answers: ['3nak', '3nak', '3nak', '3nak'] });
    assert.equal(adapter.stats?.unmapped, 4);
    assert.ok(logs.some((l) => l.fields?.link === 'ward' && /777 matches no rule/.test(l.msg)));
    const unknownType = await sim.call('901', 'Misconfigured');
    assert.equal(unknownType.answers[0], '3nak');
    assert.equal(intake.alarms.size, 0);
  });

  it('a fire panel call (priority 1) maps by priority; garbage before it is skipped and logged', async () => {
    const { intake, sim, logs } = await setup((o) => firePanel(o));
    sim.garbage(Buffer.from('\x00\xffnoise\x03'));
    assert.equal((await sim.call('205', 'Smoke detector 12')).ok, true);
    assert.equal([...intake.alarms.values()][0]!.a.alarmType, 'nurse-emergency');
    assert.ok(logs.some((l) => /stray byte|garbage/.test(l.msg) && l.fields?.link === 'ward'));
  });

  it('a second TCP peer is refused while the first is connected', async () => {
    const { adapter, logs, sim } = await setup();
    const port = (adapter.transport as unknown as { server: net.Server }).server.address() as net.AddressInfo;
    const second = net.connect({ host: '127.0.0.1', port: port.port });
    await new Promise<void>((resolve) => second.once('close', () => resolve()));
    assert.ok(logs.some((l) => /second connection was refused/.test(l.msg)));
    assert.equal((await sim.call('206', 'Still fine')).ok, true);
  });

  it('the link drops while the alarm is being recorded: the resend after reconnecting raises nothing twice', async () => {
    const { timers, intake, sim, supervision } = await setup();
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

  it('after a process restart the calls raised before are followed again: paged, then terminated', async () => {
    const { intake, sim, poll, restart, logs } = await setup();
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
    const { intake, sim, poll, restart } = await setup();
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
    const { timers, intake, sim, poll, restart, supervision, logs } = await setup();
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
});
