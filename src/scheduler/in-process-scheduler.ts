import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { FireHandler, ScheduledTimer, Scheduler } from '../ports/scheduler.ts';

export interface SchedulerLogger {
  warn(obj: object, msg: string): void;
}

export interface InProcessSchedulerOptions {
  readonly clock: Clock;
  /** Delay before a timer whose handler threw is delivered again. Default 1000 ms. */
  readonly retryDelayMs?: number;
  readonly logger?: SchedulerLogger;
}

interface Entry {
  readonly timer: ScheduledTimer;
  /** When to deliver: `timer.dueAt`, or later for a retry (which keeps the original dueAt). */
  readonly at: number;
  readonly seq: number;
}

/** Binary min-heap of entries ordered by (dueAt, seq). */
class EntryHeap {
  private readonly items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const a = this.items;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && less(a[l]!, a[m]!)) m = l;
      if (r < a.length && less(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }

  /** Keeps only entries for which `keep` holds (used to drop cancelled entries in bulk). */
  retain(keep: (e: Entry) => boolean): void {
    const kept = this.items.filter(keep);
    this.items.length = 0;
    for (const e of kept) this.push(e);
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * The Scheduler for embedded mode: armed timers live in memory (a min-heap plus one clock
 * timer for the earliest), so they do not survive the process; the timer rows and the
 * reconciler make that good on restart. A handler that throws is re-armed at
 * `now + retryDelayMs`, forever, until it succeeds or the timer is cancelled.
 */
export class InProcessScheduler implements Scheduler {
  readonly kind = 'in-process';
  private readonly clock: Clock;
  private readonly retryDelayMs: number;
  private readonly logger: SchedulerLogger | undefined;
  /** Armed timers by id; a heap entry whose id maps to another entry is stale (cancelled). */
  private readonly armed = new Map<string, Entry>();
  private readonly heap = new EntryHeap();
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;
  private onFire: FireHandler | undefined;
  private wake: { readonly at: number; readonly handle: TimerHandle } | undefined;

  constructor(opts: InProcessSchedulerOptions) {
    this.clock = opts.clock;
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
    this.logger = opts.logger;
  }

  /** Starts delivering due timers to `onFire`; throws if already started. */
  async start(onFire: FireHandler): Promise<void> {
    if (this.onFire) throw new Error('InProcessScheduler already started');
    this.onFire = onFire;
    this.rearmWake();
  }

  /** Arms `timer` in memory; a no-op when its id is already armed. Never throws. */
  async schedule(timer: ScheduledTimer): Promise<void> {
    if (this.armed.has(timer.id)) return;
    this.arm(timer, timer.dueAt);
  }

  /** Disarms `timerId`; unknown, fired or running ids are ignored. */
  async cancel(timerId: string): Promise<void> {
    if (!this.armed.delete(timerId)) return;
    // Stale heap entries are skipped lazily; compact when they outnumber live ones.
    if (this.heap.size > 2 * this.armed.size + 64) this.heap.retain((e) => this.isLive(e));
    this.rearmWake();
  }

  /** True while `timerId` is armed; false once its handler has been called or it was cancelled. */
  async isArmed(timerId: string): Promise<boolean> {
    return this.armed.has(timerId);
  }

  /** Number of armed timers. */
  async armedCount(): Promise<number> {
    return this.armed.size;
  }

  /** Always resolves: there is no backing service. */
  async ping(): Promise<void> {}

  /** Stops delivering and waits for running handlers; armed timers stay armed in this instance. */
  async stop(): Promise<void> {
    this.onFire = undefined;
    if (this.wake) this.clock.clearTimer(this.wake.handle);
    this.wake = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private arm(timer: ScheduledTimer, at: number): void {
    const entry: Entry = { timer, at, seq: this.seq++ };
    this.armed.set(timer.id, entry);
    this.heap.push(entry);
    this.rearmWake();
  }

  private isLive(entry: Entry): boolean {
    return this.armed.get(entry.timer.id) === entry;
  }

  /** Keeps exactly one clock timer, set for the earliest live entry (only while started). */
  private rearmWake(): void {
    while (this.heap.size > 0 && !this.isLive(this.heap.peek()!)) this.heap.pop();
    const next = this.heap.peek();
    const at = this.onFire && next ? next.at : undefined;
    if (this.wake?.at === at) return;
    if (this.wake) this.clock.clearTimer(this.wake.handle);
    this.wake = at === undefined ? undefined : { at, handle: this.clock.setTimer(at, this.fireDue) };
  }

  private readonly fireDue = (): void => {
    this.wake = undefined;
    const now = this.clock.now();
    // Re-reads onFire each turn: a handler may call stop() synchronously.
    for (let e = this.heap.peek(); e && e.at <= now && this.onFire; e = this.heap.peek()) {
      this.heap.pop();
      if (!this.isLive(e)) continue;
      this.armed.delete(e.timer.id);
      this.deliver(this.onFire, e.timer);
    }
    this.rearmWake();
  };

  private deliver(onFire: FireHandler, timer: ScheduledTimer): void {
    const run = (async () => {
      try {
        await onFire(timer);
      } catch (err) {
        this.logger?.warn({ err, timerId: timer.id, alarmId: timer.alarmId }, 'timer handler failed; re-arming');
        if (!this.armed.has(timer.id)) {
          this.arm(timer, this.clock.now() + this.retryDelayMs);
        }
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }
}
