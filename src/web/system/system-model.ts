/**
 * What the System pages read from /api/v1/system/… (src/http/openapi-system.ts), and the pure
 * helpers that present it: the state's symbol (shown with its text, never colour alone),
 * durations and byte counts.
 */

export type InterfaceState = 'up' | 'connecting' | 'down' | 'standby' | 'stopped';
export type InterfaceKind = 'dect' | 'espa444' | 'espax' | 'notifier' | 'scheduler' | 'store' | 'change-feed' | 'lease';

export interface InterfaceView {
  readonly id: string;
  readonly kind: InterfaceKind;
  readonly state: InterfaceState;
  readonly since?: string;
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface InterfacesView {
  readonly mode: 'embedded' | 'cluster';
  readonly restarting: 'interfaces' | 'server' | null;
  readonly lease?: {
    readonly name: string;
    readonly node: string;
    readonly heldHere: boolean;
    readonly holder?: string;
    readonly expiresAt?: string;
  };
  readonly interfaces: readonly InterfaceView[];
}

export interface MonitorView {
  readonly at: string;
  readonly uptimeSeconds: number;
  readonly memory: { readonly residentBytes: number | null; readonly heapUsedBytes: number | null };
  readonly alarms: { readonly active: number; readonly activeByState: Readonly<Record<string, number>> };
  readonly steps: Readonly<Record<string, number>>;
  readonly notifications: { readonly sent: Readonly<Record<string, number>>; readonly failed: number };
  readonly timerLateness: { readonly count: number; readonly sum: number; readonly p99: number | null };
  readonly timersArmed: number;
  readonly supervisionEvents: Readonly<Record<string, number>>;
}

export interface SupervisionView {
  readonly interfaces: readonly {
    readonly id: string;
    readonly title: string;
    readonly events: readonly string[];
    readonly environment: string;
    readonly device: string;
  }[];
  readonly environments: readonly {
    readonly id: string;
    readonly name: string;
    readonly supervisionAlarmType: string | null;
    readonly version: number;
    readonly alarmTypes: readonly string[];
  }[];
  readonly alarms: readonly {
    readonly id: string;
    readonly type: string;
    readonly text: string;
    readonly environment: string;
    readonly device: string;
    readonly status: 'active' | 'ended';
    readonly raisedAt: string;
    readonly endedAt?: string;
  }[];
}

/** The symbol shown next to a state's text (colour is a third, redundant cue). */
export const STATE_SYMBOL: Readonly<Record<InterfaceState, string>> = {
  up: '✔',
  connecting: '⟳',
  down: '✖',
  standby: '◐',
  stopped: '■',
};

/** Hours and minutes of a duration in seconds. */
export function hoursMinutes(seconds: number): { h: number; m: number } {
  const s = Math.max(0, Math.floor(seconds));
  return { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) };
}

/** Bytes as megabytes with one decimal (null: unknown). */
export const megabytes = (bytes: number | null): string | undefined =>
  bytes === null ? undefined : (bytes / 1_000_000).toFixed(1);

/** The supervision event of a metric reason `<link>-<event>` (`dect-link-down` → `link-down`). */
export const SUPERVISION_EVENTS = [
  'link-down',
  'link-up',
  'login-refused',
  'subscription-refused',
  'switched-off',
  'out-of-range',
  'back',
  'repeated-naks',
  'heartbeat-missed',
  'plan-fallback',
] as const;
export type SupervisionEvent = (typeof SUPERVISION_EVENTS)[number];
export const isSupervisionEvent = (s: string): s is SupervisionEvent =>
  (SUPERVISION_EVENTS as readonly string[]).includes(s);
