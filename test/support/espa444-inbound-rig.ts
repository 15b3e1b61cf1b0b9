/**
 * The test rig of the ESPA 4.4.4 inbound smoke tests (test/smoke/espa444-inbound*.test.ts): the
 * nurse-call simulator (a control station, TCP client) linked over real loopback TCP to an
 * Espa444Adapter (paging station, TCP server) whose AlarmIntake and AlarmWatch are the in-memory
 * FakeIntake below; the timers of both sides run on one manual clock. `restart` stops the adapter
 * and starts a new one (a process restart) or the same one again (the console's "restart
 * interfaces").
 */
import { Espa444Adapter } from '../../adapters/espa444/espa444-adapter.ts';
import type { EspaStation } from '../../adapters/espa444/espa444-simulator.ts';
import { nurseCallStation } from '../../adapters/espa444/espa444-simulator-stations.ts';
import { TocsinError } from '../../src/domain/errors.ts';
import type { AlarmSource } from '../../src/domain/alarm.ts';
import type {
  ActiveAlarm,
  AlarmIntake,
  AlarmParticipant,
  AlarmProgress,
  AlarmWatch,
  IncomingAlarm,
} from '../../src/ports/alarm-intake.ts';
import { ManualTimers, Recorder } from './manual-timers.ts';

/** AlarmIntake and AlarmWatch in memory, with a store that can be down or slow. */
export class FakeIntake implements AlarmIntake, AlarmWatch {
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

export const participant = (status: AlarmParticipant['status']): AlarmParticipant => ({
  notificationId: 'A.0.alice',
  recipient: 'alice',
  status,
  at: 0,
});

const cleanups: (() => Promise<void>)[] = [];
/** Stops every rig's simulator and adapter; each test file calls it `afterEach`. */
export async function closeRigs(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export async function inboundRig(station: (o: { schedule: ManualTimers['set'] }) => EspaStation = nurseCallStation) {
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
export const statuses = (sim: EspaStation, address: string) =>
  sim.received
    .filter((r) => r.answer === 'ack' && r.block.header === '2' && r.block.records[0]?.value === address)
    .map((r) => r.block.records[1]!.value);
