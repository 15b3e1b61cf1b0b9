import type { Clock, TimerHandle } from '../ports/clock.ts';

/** setTimeout clamps delays above 2^31-1 ms to 1 ms, so longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

class SystemTimer implements TimerHandle {
  readonly __timerHandle = true as const;
  node: NodeJS.Timeout | undefined;
  cleared = false;
}

/** The wall clock: `Date.now()` and chained `setTimeout`s. Used in production only. */
export class SystemClock implements Clock {
  /** Milliseconds since the Unix epoch, from `Date.now()`. */
  now(): number {
    return Date.now();
  }

  /**
   * Calls `fn` once, asynchronously, when `Date.now() >= at`; any delay length works. Node
   * timers may wake a millisecond early against `Date.now()`, so the callback re-checks.
   */
  setTimer(at: number, fn: () => void): TimerHandle {
    const timer = new SystemTimer();
    const arm = (): void => {
      const remaining = at - Date.now();
      timer.node = setTimeout(
        () => {
          timer.node = undefined;
          if (timer.cleared) return;
          if (Date.now() >= at) fn();
          else arm();
        },
        Math.min(Math.max(remaining, 0), MAX_TIMEOUT_MS),
      );
    };
    arm();
    return timer;
  }

  /** Cancels a timer from `setTimer`; a fired, cleared or foreign handle is ignored. */
  clearTimer(handle: TimerHandle): void {
    if (!(handle instanceof SystemTimer)) return;
    handle.cleared = true;
    if (handle.node !== undefined) clearTimeout(handle.node);
    handle.node = undefined;
  }
}
