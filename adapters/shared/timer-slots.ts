/**
 * Timers for the device links, shared by the adapters' transports. A transport never calls
 * setTimeout itself: it takes a `TimerHost` (Node's timers by default, a virtual clock in tests)
 * and keeps the timers its link machine arms and disarms in `TimerSlots`, at most one per name.
 *
 * adapters/shared/ belongs to no adapter: every adapter may import it, and it imports no adapter
 * (eslint.config.js).
 */

export interface TimerHost {
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  set(ms: number, fn: () => void): () => void;
}

/** Node's timers, unref'd (a pending reconnect does not keep the process alive). */
export const realTimers: TimerHost = {
  set(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/** Pending timers by name (`K`, e.g. a link machine's timer names): at most one per name. */
export class TimerSlots<K> {
  private readonly cancels = new Map<K, () => void>();

  constructor(private readonly host: TimerHost) {}

  /** Calls `fn` once after `ms`, replacing (cancelling) the timer pending under `key`, if any. */
  arm(key: K, ms: number, fn: () => void): void {
    this.cancels.get(key)?.();
    this.cancels.set(
      key,
      this.host.set(ms, () => {
        this.cancels.delete(key);
        fn();
      }),
    );
  }

  /** Cancels the timer pending under `key`; does nothing when there is none (idempotent). */
  disarm(key: K): void {
    this.cancels.get(key)?.();
    this.cancels.delete(key);
  }

  /** Cancels every pending timer (idempotent). */
  disarmAll(): void {
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }
}
