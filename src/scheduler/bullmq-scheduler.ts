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

/** Throws unless `id` is a valid BullMQ custom job id (no ':' and not all digits). */
function checkId(id: string): void {
  if (id.length === 0 || id.includes(':') || /^\d+$/.test(id)) {
    throw new Error(`invalid timer id ${JSON.stringify(id)}: must be non-empty, without ':' and not all digits`);
  }
}

/** Resolves true when `p` settles within `ms`, false otherwise; never rejects. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const settled = p.then(() => true, () => true);
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
  private readonly queueConn: Redis;
  private readonly workerConn: Redis;
  private readonly queue: Queue<TimerJobData>;
  private worker: Worker<TimerJobData> | undefined;

  /** Connects lazily-failing clients to `redisUrl`; does not throw when Redis is down. */
  constructor(opts: BullMqSchedulerOptions) {
    this.clock = opts.clock ?? new SystemClock();
    this.logger = opts.logger;
    this.attempts = opts.attempts ?? 10;
    this.queueName = opts.queueName ?? 'tocsin-timers';
    this.prefix = opts.prefix ?? '{tocsin}';
    this.queueConn = new Redis(opts.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.workerConn = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    for (const conn of [this.queueConn, this.workerConn]) {
      conn.on('error', (err: unknown) => this.logger?.warn({ err }, 'scheduler redis connection error'));
    }
    this.queue = new Queue<TimerJobData>(this.queueName, { connection: this.queueConn, prefix: this.prefix });
    this.queue.on('error', (err) => this.logger?.warn({ err }, 'scheduler queue error'));
  }

  /** Creates the worker (concurrency 16) and waits until it is connected; throws if started twice. */
  async start(onFire: FireHandler): Promise<void> {
    if (this.worker) throw new Error('BullMqScheduler already started');
    this.worker = new Worker<TimerJobData>(
      this.queueName,
      async (job) => onFire({ id: job.id!, alarmId: job.data.alarmId, dueAt: job.data.dueAt }),
      { connection: this.workerConn, prefix: this.prefix, concurrency: 16 },
    );
    this.worker.on('error', (err) => this.logger?.warn({ err }, 'scheduler worker error'));
    this.worker.on('failed', (job, err) =>
      this.logger?.warn(
        { err, timerId: job?.id, alarmId: job?.data.alarmId, attemptsMade: job?.attemptsMade },
        'timer handler failed',
      ),
    );
    await this.worker.waitUntilReady();
  }

  /**
   * Adds a delayed job with id `timer.id`; a no-op when that id is delayed, waiting or running.
   * A job that failed all its attempts still holds its id, so it is removed and re-added.
   * Throws on an invalid id or when Redis is unreachable.
   */
  async schedule(timer: ScheduledTimer): Promise<void> {
    checkId(timer.id);
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
    await this.queue.remove(timerId);
  }

  /** True when the job is delayed, waiting or prioritized (a running job is not armed). */
  async isArmed(timerId: string): Promise<boolean> {
    checkId(timerId);
    const state = await this.queue.getJobState(timerId);
    return (ARMED_STATES as readonly string[]).includes(state);
  }

  /** Delayed + waiting + prioritized jobs in the queue. Throws when Redis is down. */
  async armedCount(): Promise<number> {
    const counts = await this.queue.getJobCounts(...ARMED_STATES);
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** One PING on the producer connection; throws when Redis is unreachable. */
  async ping(): Promise<void> {
    await this.queueConn.ping();
  }

  /**
   * Closes the worker (waiting for running handlers), the queue and both connections. Each
   * step is bounded by 5 s so a dead Redis cannot hang shutdown; then it disconnects hard.
   */
  async stop(): Promise<void> {
    if (this.worker && !(await within(this.worker.close(), CLOSE_TIMEOUT_MS))) {
      this.logger?.warn({ queue: this.queueName }, 'scheduler worker did not close in time; forcing');
      await within(this.worker.close(true), CLOSE_TIMEOUT_MS);
    }
    await within(this.queue.close(), CLOSE_TIMEOUT_MS);
    for (const conn of [this.queueConn, this.workerConn]) {
      if (conn.status !== 'ready' || !(await within(conn.quit(), CLOSE_TIMEOUT_MS))) {
        conn.disconnect();
      }
    }
  }
}
