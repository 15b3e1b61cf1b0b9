/**
 * The context every plan machine carries. The runtime supplies `alarm`, `groups`, `params` and
 * (for presence-tracked groups) `presence` as input when the alarm is raised (frozen: later
 * directory changes do not alter a running alarm); the registry's actions maintain
 * `notifications`, `current` and `round`, and `recordPresence` keeps `presence` up to date.
 */
import type { AlarmFacts } from '../src/domain/alarm.ts';

export type PlanNotificationStatus = 'pending' | 'accepted' | 'rejected' | 'withdrawn' | 'failed';

export interface PlanNotification {
  /**
   * `<group>.<round>.<user>`: unique within the alarm, stable across replays. A single-recipient
   * notify uses the group `@<address>` (e.g. `@dave.0.dave`, `@device:p1.0.device:p1`).
   */
  readonly id: string;
  /** The recipient address: a user id, `device:<id>` or `contact:<id>`. */
  readonly user: string;
  readonly group: string;
  readonly round: number;
  readonly status: PlanNotificationStatus;
  readonly respondedAt?: number;
}

export interface PlanInput {
  readonly alarm: AlarmFacts;
  /** Notification groups frozen at raise time: group name → recipient addresses. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /**
   * Presence-tracked groups only: group name → recipients present at raise time. A group absent
   * here is not tracked (PRESENCE events for it are ignored); `recordPresence` updates the rest.
   */
  readonly presence?: Readonly<Record<string, readonly string[]>>;
  /** Plan parameters from the alarm type (e.g. levelTimeoutMs, rounds). */
  readonly params: Readonly<Record<string, number | string | boolean>>;
}

export interface PlanContext extends PlanInput {
  readonly round: number;
  readonly notifications: readonly PlanNotification[];
  /** Ids of the notifications sent by the latest `notify` (the current level). */
  readonly current: readonly string[];
  readonly [key: string]: unknown;
}

/** Effects a plan returns to the runtime (as XState actions, never executed inside the machine). */
export interface NotifyEffect {
  readonly type: 'tocsin.notify';
  readonly params: {
    readonly group: string;
    readonly round: number;
    readonly text: string;
    /** Notification profile id, when the plan names one. */
    readonly profile?: string;
    readonly notifications: readonly { readonly id: string; readonly user: string }[];
  };
}
export interface WithdrawEffect {
  readonly type: 'tocsin.withdraw';
  readonly params: { readonly notifications: readonly { readonly id: string; readonly user: string }[] };
}
export interface LogEffect {
  readonly type: 'tocsin.log';
  readonly params: { readonly message: string };
}
export interface SetOutputEffect {
  readonly type: 'tocsin.setOutput';
  readonly params: { readonly output: string; readonly value: boolean | number };
}
/** Raise a linked alarm of type `alarmType` (carried out by the runtime). */
export interface ForwardEffect {
  readonly type: 'tocsin.forward';
  readonly params: { readonly alarmType: string; readonly text: string };
}
export type PlanEffect = NotifyEffect | WithdrawEffect | LogEffect | SetOutputEffect | ForwardEffect;
