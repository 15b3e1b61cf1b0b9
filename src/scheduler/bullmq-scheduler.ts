import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Clock } from '../ports/clock.ts';
import type { FireHandler, ScheduledTimer, Scheduler } from '../ports/scheduler.ts';
import type { SchedulerLogger } from './in-process-scheduler.ts';
import { SystemClock } from './system-clock.ts';

export interface BullMqSchedulerOptions {
  readonly redisUrl: string;
  /** Default 'tocsin-timers'. */
  readonly queueName?: string;
  /** BullMQ key prefix; braces make a Redis Cluster hash tag. Default '{tocsin}'. */
  readonly prefix?: string;
  /** Used only to turn `dueAt` into a job delay. Default SystemClock. */
  readonly clock?: Clock;
  readonly logger?: SchedulerLogger;
  /** Deliveries per timer (exponential back-off from 500 ms) before the job fails. Default 10. */
  readonly attempts?: number;
}

interface TimerJobData {
  readonly alarmId: string;
  readonly dueAt: number;
}

const ARMED_STATES = ['delayed', 'waiting', 'prioritized'] as const;
const CLOSE_TIMEOUT_MS = 5000;
/** How long a producer call waits for a connection that is not up yet (e.g. at boot). */
const READY_TIMEOUT_MS = 2000;

/** Throws unless `id` is a valid BullMQ custom job id (no ':' and not all digits). */
function checkId(id: string): void {
  if (id.length === 0 || id.includes(':') || /^\d+$/.test(id)) {
    throw new Error(`invalid timer id ${JSON.stringify(id)}: must be non-empty, without ':' and not all digits`);
  }
}

/**
 * Resolves true when `p` settles within `ms`, false when it does not (or, with
 * `onlyFulfilled`, when it rejects). Never rejects.
 */
async function within(p: Promise<unknown>, ms: number, onlyFulfilled = false): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const settled = p.then(
    () => true,
    () => !onlyFulfilled,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Scheduler for cluster mode: each timer is a BullMQ delayed job whose id is the timer id,
 * so armed timers survive restarts and any node's worker may deliver them. Delivery is late by
 * up to Redis' `hz` tick (see DESIGN.md) and at-least-once.
 */
export class BullMqScheduler implements Scheduler {
  readonly kind = 'bullmq';
  private readonly clock: Clock;
  private readonly logger: SchedulerLogger | undefined;
  private readonly attempts: number;
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly redisUrl: string;
  private readonly queueConn: Redis;
  private readonly queue: Queue<TimerJobData>;
  private worker: { readonly conn: Redis; readonly worker: Worker<TimerJobData> } | undefined;
  /** Handlers running now; stop() waits for them even when it gives up on Redis. */
  private readonly running = new Set<Promise<void>>();

  /** Opens the producer connection in the background; never throws when Redis is down. */
  constructor(opts: BullMqSchedulerOptions) {
    this.redisUrl = opts.redisUrl;
    this.clock = opts.clock ?? new SystemClock();
    this.logger = opts.logger;
    this.attempts = opts.attempts ?? 10;
    this.queueName = opts.queueName ?? 'tocsin-timers';
    this.prefix = opts.prefix ?? '{tocsin}';
    // BullMQ re-emits connection errors as the queue's (and worker's) 'error' events.
    this.queueConn = new Redis(opts.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.queue = new Queue<TimerJobData>(this.queueName, { connection: this.queueConn, prefix: this.prefix });
    this.queue.on('error', (err) => this.logger?.warn({ err }, 'scheduler queue error'));
  }

  /**
   * Creates the worker (own connection, concurrency 16) and waits until it is connected;
   * throws if started twice. While Redis is down it keeps waiting (and logging errors).
   */
  async start(onFire: FireHandler): Promise<void> {
    if (this.worker) throw new Error('BullMqScheduler already started');
    const conn = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker<TimerJobData>(
      this.queueName,
      (job) => this.track(onFire({ id: job.id!, alarmId: job.data.alarmId, dueAt: job.data.dueAt })),
      { connection: conn, prefix: this.prefix, concurrency: 16 },
    );
    this.worker = { conn, worker };
    worker.on('error', (err) => this.logger?.warn({ err }, 'scheduler worker error'));
    worker.on('failed', (job, err) =>
      this.logger?.warn(
        { err, timerId: job?.id, alarmId: job?.data.alarmId, attemptsMade: job?.attemptsMade },
        'timer handler failed',
      ),
    );
    await worker.waitUntilReady();
  }

  /**
   * Adds a delayed job with id `timer.id`; a no-op when that id is delayed, waiting or running.
   * A job that failed all its attempts still holds its id, so it is removed and re-added.
   * Throws on an invalid id or when Redis is unreachable.
   */
  async schedule(timer: ScheduledTimer): Promise<void> {
    checkId(timer.id);
    await this.ready();
    const state = await this.queue.getJobState(timer.id);
    if (state === 'failed' || state === 'completed') await this.queue.remove(timer.id);
    await this.queue.add(
      'timer',
      { alarmId: timer.alarmId, dueAt: timer.dueAt },
      {
        jobId: timer.id,
        delay: Math.max(0, timer.dueAt - this.clock.now()),
        attempts: this.attempts,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  }

  /**
   * Removes the job; unknown ids are ignored. A running (locked) job is left alone, so its
   * handler may still run: the runtime fences on the timer row. Throws when Redis is down.
   */
  async cancel(timerId: string): Promise<void> {
    checkId(timerId);
    await this.ready();
    await this.queue.remove(timerId);
  }

  /** True when the job is delayed, waiting or prioritized (a running job is not armed). */
  async isArmed(timerId: string): Promise<boolean> {
    checkId(timerId);
    await this.ready();
    const state = await this.queue.getJobState(timerId);
    return (ARMED_STATES as readonly string[]).includes(state);
  }

  /** Delayed + waiting + prioritized jobs in the queue. Throws when Redis is down. */
  async armedCount(): Promise<number> {
    await this.ready();
    const counts = await this.queue.getJobCounts(...ARMED_STATES);
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** One PING on the producer connection; throws when Redis is unreachable. */
  async ping(): Promise<void> {
    await this.ready();
    await this.queueConn.ping();
  }

  /**
   * Closes the worker (waiting for running handlers), the queue and both connections. The
   * Redis side is bounded by 5 s so a dead Redis cannot hang shutdown; then it disconnects
   * hard and still waits for handlers that are running. Idempotent.
   */
  async stop(): Promise<void> {
    const { worker, conn: workerConn } = this.worker ?? {};
    const conns = workerConn ? [this.queueConn, workerConn] : [this.queueConn];
    const graceful = (async () => {
      await worker?.close();
      await this.queue.close();
      for (const conn of conns) if (conn.status === 'ready') await conn.quit();
    })();
    if (!(await within(graceful, CLOSE_TIMEOUT_MS))) {
      this.logger?.warn({ queue: this.queueName }, 'scheduler did not close in time; disconnecting');
      void worker?.close(true).catch(() => {});
    }
    for (const conn of conns) conn.disconnect();
    await Promise.allSettled([...this.running]);
  }

  /**
   * Fails fast instead of letting BullMQ wait forever for a connection: a connection that
   * was up once rejects commands at once (no offline queue); a first connect gets 2 s.
   */
  private async ready(): Promise<void> {
    if (!(await within(this.queue.waitUntilReady(), READY_TIMEOUT_MS, true))) {
      throw new Error(`Redis unreachable for scheduler queue ${this.queueName}`);
    }
  }

  private track(handler: Promise<void>): Promise<void> {
    this.running.add(handler);
    return handler.finally(() => this.running.delete(handler));
  }
}
