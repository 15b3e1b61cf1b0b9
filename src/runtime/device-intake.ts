/**
 * AlarmIntake over the runtime: what an alarm-source device interface (ESPA 4.4.4, ESPA-X)
 * may do to alarms. The actor recorded in the protocol is the device
 * (`{kind: 'device', id: '<adapter>:<device>'}`).
 */
import type { AlarmSource } from '../domain/alarm.ts';
import { TocsinError } from '../domain/errors.ts';
import type { ActiveAlarm, AlarmIntake, IncomingAlarm } from '../ports/alarm-intake.ts';
import type { AlarmRuntime } from './alarm-runtime.ts';

const actorOf = (s: AlarmSource) => ({ kind: 'device' as const, id: `${s.adapter}:${s.device ?? ''}` });

export class RuntimeIntake implements AlarmIntake {
  constructor(private readonly runtime: () => AlarmRuntime) {}

  async raise(a: IncomingAlarm): Promise<{ readonly created: boolean }> {
    const r = await this.runtime().raise(
      { id: a.id, type: a.alarmType, text: a.text ?? '', location: a.location, source: a.source },
      actorOf(a.source),
    );
    return { created: r.created };
  }

  async active(source: AlarmSource): Promise<readonly string[]> {
    return (await this.runtime().activeFrom(source)).map((a) => a.facts.id);
  }

  /** Over `activeFrom` (at most the runtime's fan-out limit of the adapter's active alarms), filtered by prefix. */
  async activeUnder(adapter: string, devicePrefix: string): Promise<readonly ActiveAlarm[]> {
    const out: ActiveAlarm[] = [];
    for (const a of await this.runtime().activeFrom({ adapter })) {
      const device = a.facts.source.device;
      if (device !== undefined && device.startsWith(devicePrefix)) out.push({ id: a.facts.id, device });
    }
    return out;
  }

  async cancel(alarmId: string, reason: string, by: string): Promise<boolean> {
    try {
      await this.runtime().cancel(alarmId, by, reason, { kind: 'device', id: by });
      return true;
    } catch (err) {
      if (err instanceof TocsinError && (err.code === 'not-found' || err.code === 'alarm-ended')) return false;
      throw err;
    }
  }
}
