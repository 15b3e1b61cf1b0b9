/**
 * The Directory port: the configuration as the runtime and the plan tools need it. Read when
 * an alarm is raised; the answer is frozen into the alarm (a later change never alters it).
 */
import type { PlanRef } from '../domain/alarm.ts';
import type { Profile } from '../domain/config-model.ts';

export interface AlarmTypeConfig {
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly plan: PlanRef;
  /** Plan parameters, e.g. `{ levelTimeoutMs: 60000, rounds: 3 }`. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly environment: string;
  /** The alarm's text, with `{alarm.text}` etc. filled in at raise time. */
  readonly textTemplate: string;
  readonly profile?: string | undefined;
}

export interface EnvironmentConfig {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  /** Alarms of this environment fall back to this plan when their own cannot run. */
  readonly defaultPlan: PlanRef;
  /** Raised as a supervision alarm when a fallback happens, if set. */
  readonly supervisionAlarmType?: string | undefined;
}

/** Names a plan may reference, for the validator. */
export interface DirectoryNames {
  readonly groups: readonly string[];
  readonly profiles: readonly string[];
  readonly contacts: readonly string[];
  readonly alarmTypes: readonly string[];
}

/** One consistent view of the configuration. */
export interface DirectoryView {
  alarmType(id: string): AlarmTypeConfig | undefined;
  alarmTypes(): readonly AlarmTypeConfig[];
  environment(id: string): EnvironmentConfig | undefined;
  /** Notification groups as a plan sees them: name → recipients (presence applied, fallbacks followed). */
  groups(): Readonly<Record<string, readonly string[]>>;
  /** Present members of presence-tracked groups. */
  presence(): Readonly<Record<string, readonly string[]>>;
  /** Groups that were empty and fell back to another: group → the group notified instead. */
  fellBack(): Readonly<Record<string, string>>;
  names(scope?: readonly string[]): DirectoryNames;
  /** A notification profile (how a device presents a notification). */
  profile(id: string): Profile | undefined;
}

export interface Directory {
  /** The configuration as it is now. */
  current(): Promise<DirectoryView>;
}
