/**
 * Test double for the ESPA-X smoke tests: AlarmIntake and AlarmWatch in memory, driven by the
 * test (participants' statuses, the end of an alarm), with a store that can be held (raise
 * waits until released) or down (every call rejects), like a database that is slow or gone.
 */
import { TocsinError } from '../../src/domain/errors.ts';
import type { AlarmSource, NotificationStatus } from '../../src/domain/alarm.ts';
import type {
  ActiveAlarm,
  AlarmIntake,
  AlarmParticipant,
  AlarmProgress,
  AlarmWatch,
  IncomingAlarm,
} from '../../src/ports/alarm-intake.ts';

interface FakeAlarm {
  readonly incoming: IncomingAlarm;
  progress: AlarmProgress;
  readonly listeners: Set<(p: AlarmProgress) => void | Promise<void>>;
}

export class FakeAlarms implements AlarmIntake, AlarmWatch {
  readonly alarms = new Map<string, FakeAlarm>();
  /** Every raise call, also the refused ones. */
  readonly raised: IncomingAlarm[] = [];
  readonly cancels: { alarmId: string; reason: string; by: string }[] = [];
  /** Every call rejects while true. */
  down = false;
  /** Alarm types that do not exist. */
  readonly unknownTypes = new Set<string>();
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  private t = 0;

  /** Makes raise wait until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async raise(a: IncomingAlarm): Promise<{ created: boolean }> {
    this.raised.push(a);
    if (this.gate) await this.gate;
    if (this.down) throw new Error('the store is unavailable');
    if (this.unknownTypes.has(a.alarmType)) throw new TocsinError('unknown-alarm-type', `no alarm type ${a.alarmType}`);
    if (this.alarms.has(a.id)) return { created: false };
    this.alarms.set(a.id, {
      incoming: a,
      progress: { alarmId: a.id, state: '"notifying"', ended: false, participants: [] },
      listeners: new Set(),
    });
    return { created: true };
  }

  async active(source: AlarmSource): Promise<readonly string[]> {
    if (this.down) throw new Error('the store is unavailable');
    return [...this.alarms.values()]
      .filter(
        (x) =>
          !x.progress.ended &&
          x.incoming.source.adapter === source.adapter &&
          x.incoming.source.device === source.device,
      )
      .map((x) => x.incoming.id);
  }

  async activeUnder(adapter: string, devicePrefix: string): Promise<readonly ActiveAlarm[]> {
    if (this.down) throw new Error('the store is unavailable');
    return [...this.alarms.values()]
      .filter(
        (x) =>
          !x.progress.ended &&
          x.incoming.source.adapter === adapter &&
          (x.incoming.source.device ?? '').startsWith(devicePrefix),
      )
      .map((x) => ({ id: x.incoming.id, device: x.incoming.source.device ?? '' }));
  }

  async cancel(alarmId: string, reason: string, by: string): Promise<boolean> {
    if (this.down) throw new Error('the store is unavailable');
    this.cancels.push({ alarmId, reason, by });
    const a = this.alarms.get(alarmId);
    if (!a || a.progress.ended) return false;
    this.update(alarmId, { ended: true, endReason: 'cancelled', state: '"cancelled"' });
    return true;
  }

  watch(alarmId: string, listener: (p: AlarmProgress) => void | Promise<void>): () => void {
    const a = this.alarms.get(alarmId);
    if (!a) return () => {};
    a.listeners.add(listener);
    queueMicrotask(() => {
      if (a.listeners.has(listener)) void listener(a.progress);
    });
    return () => a.listeners.delete(listener);
  }

  /** Changes the alarm's progress and tells the watchers. */
  update(alarmId: string, patch: Partial<AlarmProgress>): void {
    const a = this.alarms.get(alarmId);
    if (!a) throw new Error(`no alarm ${alarmId}`);
    a.progress = { ...a.progress, ...patch };
    for (const l of [...a.listeners]) void l(a.progress);
  }

  /** Sets one participant's status (adding the participant if new). */
  participant(
    alarmId: string,
    recipient: string,
    status: NotificationStatus,
    who: Partial<Pick<AlarmParticipant, 'number' | 'name'>> = {},
  ): void {
    const a = this.alarms.get(alarmId);
    if (!a) throw new Error(`no alarm ${alarmId}`);
    const others = a.progress.participants.filter((p) => p.recipient !== recipient);
    const p: AlarmParticipant = { notificationId: `n-${recipient}`, recipient, status, at: ++this.t, ...who };
    this.update(alarmId, { participants: [...others, p] });
  }
}
