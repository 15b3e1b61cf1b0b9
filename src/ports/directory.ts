/**
 * The Directory port: alarm types and notification groups as configured. Read when an alarm
 * is raised; the answer is frozen into the alarm (a later change never alters it).
 */
import type { PlanRef } from '../domain/alarm.ts';

export interface AlarmTypeConfig {
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly plan: PlanRef;
  /** Plan parameters, e.g. `{ levelTimeoutMs: 60000, rounds: 3 }`. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly environment: string;
}

export interface Directory {
  alarmType(id: string): AlarmTypeConfig | undefined;
  alarmTypes(): readonly AlarmTypeConfig[];
  /** Notification groups: name → user ids. */
  groups(): Readonly<Record<string, readonly string[]>>;
}
