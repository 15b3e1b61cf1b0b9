/** Value types of an alarm, shared by the runtime, the store and the HTTP layer. */

export type AlarmStatus = 'active' | 'ended';

/** What raised the alarm: an adapter and the device or line in it. */
export interface AlarmSource {
  readonly adapter: string;
  readonly device?: string | undefined;
}

/** The facts of an alarm as raised; frozen into the plan's context at creation. */
export interface AlarmFacts {
  readonly id: string;
  readonly type: string;
  readonly priority: number;
  readonly text: string;
  readonly location: string | undefined;
  readonly source: AlarmSource;
  readonly environment: string;
  readonly raisedAt: number;
}

/** A plan pinned by an alarm: id and immutable version. */
export interface PlanRef {
  readonly id: string;
  readonly version: number;
}

export type NotificationStatus =
  'pending' | 'sent' | 'delivered' | 'read' | 'accepted' | 'rejected' | 'failed' | 'withdrawn';

export type ResponseKind = 'accept' | 'reject';

export type TimerStatus = 'pending' | 'fired' | 'cancelled';

/** Who did something: a user, a device, the system (timers, reconciler). */
export interface Actor {
  readonly kind: 'user' | 'device' | 'system';
  readonly id: string;
}
