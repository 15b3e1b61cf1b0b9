/**
 * The AlarmIntake and AlarmWatch ports: how a device interface that is a source of alarms
 * (a nurse-call system or fire panel over ESPA 4.4.4, an ESPA-X client, …) raises and ends
 * alarms, and follows them so that it can report their progress back to the device.
 *
 * src/app implements both over the runtime and the store; adapters and their tests use them
 * through these interfaces only.
 */
import type { AlarmSource, NotificationStatus } from '../domain/alarm.ts';

export interface IncomingAlarm {
  /** Stable for one call: raising the same id twice raises one alarm. */
  readonly id: string;
  /** The configured alarm type the device's call maps to. */
  readonly alarmType: string;
  /** The device's display text, when it sent one (else the alarm type's text template). */
  readonly text?: string | undefined;
  readonly location?: string | undefined;
  /** `{adapter: 'espa444' | 'espax' | …, device: '<link>/<address or reference>'}`. */
  readonly source: AlarmSource;
}

/** An active alarm and the device that raised it (`AlarmIntake.activeUnder`). */
export interface ActiveAlarm {
  readonly id: string;
  readonly device: string;
}

export interface AlarmIntake {
  /**
   * Raises the alarm and resolves once it is durably recorded (committed): only then may the
   * adapter acknowledge the device's message. Idempotent per id (`created: false` when it
   * already existed). Rejects when it could not be recorded, with a `TocsinError` of code
   * `unknown-alarm-type` for a mapping to an alarm type that does not exist, or any other
   * error when the store is unavailable: the adapter then refuses the message (ESPA 4.4.4 NAK
   * '2', ESPA-X an error code) so the device keeps it and sends it again.
   */
  raise(a: IncomingAlarm): Promise<{ readonly created: boolean }>;
  /** Ids of the active (not ended) alarms raised by exactly this source (adapter and device). */
  active(source: AlarmSource): Promise<readonly string[]>;
  /**
   * The active (not ended) alarms raised by `adapter` from a device whose name starts with
   * `devicePrefix` (`ward/` for every address of the ESPA 4.4.4 link `ward`), with that device:
   * how an adapter finds the alarms it raised before it was restarted, to follow them again.
   * Read only; rejects when the store is unavailable.
   */
  activeUnder(adapter: string, devicePrefix: string): Promise<readonly ActiveAlarm[]>;
  /**
   * Cancels an alarm on the device's behalf (ESPA 4.4.4 reset, ESPA-X P-STOP); the plan
   * withdraws its open notifications. Resolves false when it is unknown or has already ended.
   */
  cancel(alarmId: string, reason: string, by: string): Promise<boolean>;
}

/** One person or device an alarm notified, as the device interface reports it back. */
export interface AlarmParticipant {
  readonly notificationId: string;
  /** Tocsin's recipient: a login name or a `device:` / `contact:` address. */
  readonly recipient: string;
  /** A number to show the device (the user's phone, the handset number), when known. */
  readonly number?: string | undefined;
  /** A display name, when known. */
  readonly name?: string | undefined;
  readonly status: NotificationStatus;
  /** Epoch ms of the latest status change. */
  readonly at: number;
}

/** Why an alarm ended, as far as a device interface cares. */
export type AlarmEndReason = 'accepted' | 'cancelled' | 'other';

export interface AlarmProgress {
  readonly alarmId: string;
  /** The plan's state value (JSON-encoded, as in the store). */
  readonly state: string;
  readonly ended: boolean;
  readonly endReason?: AlarmEndReason | undefined;
  readonly participants: readonly AlarmParticipant[];
}

export interface AlarmWatch {
  /**
   * Calls `listener` with the alarm's progress now, and again after every change (a step
   * committed, a delivery recorded) until the alarm has ended — the last call has
   * `ended: true` — or until the returned function is called. Calls for one alarm never
   * overlap and come in order; an unknown alarm gets no call.
   */
  watch(alarmId: string, listener: (p: AlarmProgress) => void | Promise<void>): () => void;
}
