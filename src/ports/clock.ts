/**
 * Time is an input. Runtime decisions and the in-process scheduler read time only through
 * this port, so tests drive a virtual clock and never sleep.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once when `now() >= at` (never before). Returns a handle for `clearTimer`. */
  setTimer(at: number, fn: () => void): TimerHandle;
  /** Cancels a timer set with `setTimer`; cancelling a fired or unknown handle does nothing. */
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly __timerHandle: true;
}
