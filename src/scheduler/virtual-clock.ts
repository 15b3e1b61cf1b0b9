import type { Clock, TimerHandle } from '../ports/clock.ts';

class VirtualTimer implements TimerHandle {
  readonly __timerHandle = true as const;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/** Order by due time, then by creation (ties fire in the order they were set). */
function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Number of macrotask turns `advanceAsync` yields after each fire so async handlers settle. */
const SETTLE_TURNS = 5;

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A clock for tests: time moves only when the test calls `advance*`, and due timers fire in
 * due order with `now()` set to each timer's due time. Never reads the wall clock.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  /** Pending timers sorted by (at, seq); the earliest is at index 0. */
  private readonly timers: VirtualTimer[] = [];

  /** Starts the clock at `startMs` (epoch milliseconds). */
  constructor(startMs: number) {
    this.current = startMs;
  }

  /** The virtual time in epoch milliseconds. */
  now(): number {
    return this.current;
  }

  /** Arms `fn` for virtual time `at`; a timer already due fires on the next `advance*` call. */
  setTimer(at: number, fn: () => void): TimerHandle {
    const timer = new VirtualTimer(at, this.seq++, fn);
    this.timers.splice(this.indexFor(timer), 0, timer);
    return timer;
  }

  /** Cancels a pending timer; a fired, cleared or foreign handle is ignored. */
  clearTimer(handle: TimerHandle): void {
    if (!(handle instanceof VirtualTimer)) return;
    const i = this.indexFor(handle);
    if (this.timers[i] === handle) this.timers.splice(i, 1);
  }

  /** Number of timers set and neither fired nor cleared. */
  pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms` (>= 0), firing due timers synchronously; see `advanceTo`. */
  advance(ms: number): void {
    this.advanceTo(this.current + checkedDelta(ms));
  }

  /**
   * Fires, in due order, every timer due at or before `t` (including ones set by the timers
   * themselves), then sets `now()` to `t`. Throws RangeError when `t` is in the past; an
   * exception from a timer callback propagates after that timer has been removed.
   */
  advanceTo(t: number): void {
    if (t < this.current) throw new RangeError(`advanceTo(${t}) is before now (${this.current})`);
    for (let next = this.takeDue(t); next; next = this.takeDue(t)) next.fn();
    this.current = t;
  }

  /**
   * Like `advance`, but yields to the event loop before and after each fire so promise
   * chains started by a timer (an async handler, a retry) run before the next one fires.
   * `quiesce`, when given, is awaited after each fire too (e.g. "every alarm step has
   * committed"), so work a timer starts sees the time it fired at, not a later one.
   */
  async advanceAsync(ms: number, quiesce?: () => Promise<void>): Promise<void> {
    const target = this.current + checkedDelta(ms);
    await settle();
    for (let next = this.takeDue(target); next; next = this.takeDue(target)) {
      next.fn();
      await settle();
      if (quiesce) await quiesce();
    }
    this.current = target;
    await settle();
  }

  /** Removes and returns the earliest timer due at or before `t`, moving `now()` to it. */
  private takeDue(t: number): VirtualTimer | undefined {
    const first = this.timers[0];
    if (!first || first.at > t) return undefined;
    this.timers.shift();
    this.current = Math.max(this.current, first.at);
    return first;
  }

  /** Binary search: the index of `timer` if present, else where it would be inserted. */
  private indexFor(timer: VirtualTimer): number {
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.timers[mid]!, timer)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function checkedDelta(ms: number): number {
  if (!(ms >= 0)) throw new RangeError(`advance(${ms}): ms must be >= 0`);
  return ms;
}
