/**
 * What the runtime reports about itself (metrics). src/app implements it with prom-client;
 * tests use `nullObserver` or record calls.
 */
export interface RuntimeObserver {
  /** A step was committed: `kind` raised | event | timer. */
  stepCommitted(kind: string): void;
  /** Trigger → notification accepted by the notifier, in ms. */
  notifyLatency(ms: number, channel: string): void;
  /** How late a durable timer's step ran, in ms (0 when on time). */
  timerLateness(ms: number, via: 'scheduler' | 'reconciler'): void;
  /** A commit lost the seq compare-and-set and was retried. */
  conflictRetried(): void;
  /** An effect failed (will retry if retryable). */
  effectFailed(kind: string, retryable: boolean): void;
  /** Something people must look at happened (e.g. `plan-fallback`: an alarm could not run its own plan). */
  supervision?(reason: string): void;
}

export const nullObserver: RuntimeObserver = {
  stepCommitted() {},
  notifyLatency() {},
  timerLateness() {},
  conflictRetried() {},
  effectFailed() {},
};

/** The logger the runtime writes to (pino-compatible subset). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const nullLogger: Logger = { info() {}, warn() {}, error() {} };
