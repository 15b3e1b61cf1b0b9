/**
 * Domain events that drive an alarm's plan. These are the machine events; the runtime
 * records every one in the protocol, so replay folds exactly these through `transition()`.
 */
import type { ResponseKind } from './alarm.ts';

export interface ResponseEvent {
  readonly type: 'RESPONSE';
  readonly response: ResponseKind;
  /** The responding user. */
  readonly by: string;
  /** Epoch ms; an input, never read from a wall clock inside the plan. */
  readonly at: number;
}

export interface CancelEvent {
  readonly type: 'CANCEL';
  readonly by: string;
  readonly reason?: string | undefined;
  readonly at: number;
}

export interface DeliveryEvent {
  readonly type: 'DELIVERY';
  readonly notificationId: string;
  readonly status: 'delivered' | 'read' | 'failed';
  readonly retryable?: boolean | undefined;
  readonly at: number;
}

/**
 * A recipient's presence in a presence-tracked group changed (e.g. a nurse pressed the
 * presence button in the room). Plans record it with `recordPresence`; `nobodyPresent` reads it.
 */
export interface PresenceEvent {
  readonly type: 'PRESENCE';
  readonly group: string;
  /** The recipient address (a user id, `device:<id>` or `contact:<id>`). */
  readonly user: string;
  readonly present: boolean;
  readonly at: number;
}

/** A fired durable timer re-delivers the event XState raised (`xstate.after.*`). */
export interface TimerEvent {
  readonly type: `xstate.after.${string}`;
}

export type AlarmEvent = ResponseEvent | CancelEvent | DeliveryEvent | PresenceEvent | TimerEvent;
