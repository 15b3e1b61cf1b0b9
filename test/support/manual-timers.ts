/**
 * Test helpers for device links: timers that fire only when a test advances them (one queue
 * can drive an adapter and a simulator together), and a recorder of callbacks that a test
 * can await. Nothing here sleeps.
 */
/** Timers that fire only when the test advances them. */
export class ManualTimers {
  now = 0;
  private queue: { due: number; fn: () => void; live: boolean }[] = [];
  set = (ms: number, fn: () => void): (() => void) => {
    const t = { due: this.now + ms, fn, live: true };
    this.queue.push(t);
    return () => {
      t.live = false;
    };
  };
  /** The delays of the live timers, from now. */
  pending(): number[] {
    return this.queue.filter((t) => t.live).map((t) => t.due - this.now);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = this.queue.filter((t) => t.live && t.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.now = next.due;
      next.live = false;
      next.fn();
    }
    this.now = until;
    this.queue = this.queue.filter((t) => t.live);
  }
}

/** Records callbacks and lets the test await the next one that matches. */
export class Recorder<T> {
  readonly seen: T[] = [];
  private waiters: { match: (t: T) => boolean; resolve: (t: T) => void }[] = [];
  push = (t: T): void => {
    this.seen.push(t);
    for (const w of [...this.waiters])
      if (w.match(t)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(t);
      }
  };
  next(match: (t: T) => boolean): Promise<T> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}
