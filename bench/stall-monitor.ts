/**
 * Measures how long the event loop goes without reaching its timers phase: a 2 ms interval
 * records the gap between its ticks, including the stretch up to stop(). (perf_hooks'
 * monitorEventLoopDelay only records when its own timer runs, so a stall still in progress
 * when it is read — e.g. a run of promise-only work that never yields — shows up as nothing.)
 */
export interface StallReport {
  /** Longest gap between two ticks, ms. */
  readonly maxMs: number;
  /** Share of the measured time spent in gaps longer than `thresholdMs`. */
  readonly stalledShare: number;
  readonly elapsedMs: number;
}

export class StallMonitor {
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private last = 0;
  private maxMs = 0;
  private stalledMs = 0;

  constructor(
    private readonly periodMs = 2,
    private readonly thresholdMs = 20,
  ) {}

  start(): void {
    this.t0 = this.last = performance.now();
    this.maxMs = this.stalledMs = 0;
    this.timer = setInterval(() => this.tick(performance.now()), this.periodMs);
  }

  stop(): StallReport {
    const now = performance.now();
    this.tick(now); // the stretch since the last tick counts too
    clearInterval(this.timer);
    this.timer = undefined;
    const elapsedMs = now - this.t0;
    return { maxMs: this.maxMs, stalledShare: elapsedMs > 0 ? this.stalledMs / elapsedMs : 0, elapsedMs };
  }

  private tick(now: number): void {
    const gap = now - this.last;
    this.last = now;
    if (gap > this.maxMs) this.maxMs = gap;
    if (gap > this.thresholdMs) this.stalledMs += gap;
  }
}
