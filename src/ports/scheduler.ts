/**
 * The Scheduler port: the alarm clock for durable timers. The timer ROW in the AlarmStore is
 * the truth; a scheduler entry only wakes the runtime when a row falls due. Implementations:
 * BullMQ delayed jobs (cluster mode) and an in-process timer wheel (embedded mode). Both pass
 * the one conformance suite in test/integration/scheduler-conformance.ts.
 *
 * Delivery is at-least-once: a fired entry may be delivered more than once (a retried job, a
 * reconciler re-enqueue), and the runtime fences on the row's status, so handlers need not
 * deduplicate.
 */
export interface ScheduledTimer {
  /** Deterministic id `t-<alarmId>-<seq>-<n>`: never contains `:` and is never all digits. */
  readonly id: string;
  readonly alarmId: string;
  /** Epoch milliseconds at which the timer falls due. */
  readonly dueAt: number;
}

export type FireHandler = (timer: ScheduledTimer) => Promise<void>;

export interface Scheduler {
  /** Human name for logs and /readyz: "bullmq" or "in-process". */
  readonly kind: string;
  /**
   * Starts delivering due timers to `onFire`. A handler that throws is retried (BullMQ: job
   * attempts with back-off; in-process: re-armed after `retryDelayMs`). Call once.
   */
  start(onFire: FireHandler): Promise<void>;
  /**
   * Arms a timer. Idempotent: scheduling an id that is already armed leaves it as it is.
   * Scheduling a timer whose dueAt has passed fires it as soon as possible.
   */
  schedule(timer: ScheduledTimer): Promise<void>;
  /** Disarms a timer. Idempotent: an unknown or already fired id is ignored. */
  cancel(timerId: string): Promise<void>;
  /** True when the timer is armed (not yet fired and not cancelled). */
  isArmed(timerId: string): Promise<boolean>;
  /** Number of armed timers (for metrics and tests). */
  armedCount(): Promise<number>;
  /** Cheap liveness check for /readyz; throws when the backing service is unreachable. */
  ping(): Promise<void>;
  /** Stops delivering; waits for running handlers. Armed timers stay armed in the backend. */
  stop(): Promise<void>;
}
