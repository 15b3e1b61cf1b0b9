/**
 * Keeps a device link on one node of a cluster (DESIGN.md: "device links held by one node under
 * a lease, taken over on failure").
 *
 * Every `ttlMs / 3` the keeper takes or renews the lease. When it gets it, `onAcquired` opens
 * the link; when a renewal is refused (another node took it) or cannot be confirmed before the
 * lease would run out (the database is unreachable), `onLost` closes the link, so at most one
 * node holds it open, give or take the clocks' skew. A node that stops renewing (crashed,
 * partitioned) loses the link to the next node that asks after the lease expired. Stopping
 * releases the lease at once, so a planned restart hands over without waiting for the TTL.
 */
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { LinkLeases } from '../ports/link-lease.ts';
import type { Logger } from './observer.ts';

export interface LeaseKeeperOptions {
  readonly leases: LinkLeases;
  /** The link, e.g. `dect:omm.example:12622`. */
  readonly name: string;
  /** This node, unique in the cluster. */
  readonly holder: string;
  /** Default 15 s. */
  readonly ttlMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  onAcquired(token: number): void | Promise<void>;
  onLost(reason: string): void | Promise<void>;
}

export class LeaseKeeper {
  private heldUntil: number | undefined;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();
  private readonly ttl: number;

  constructor(private readonly o: LeaseKeeperOptions) {
    this.ttl = o.ttlMs ?? 15_000;
  }

  get held(): boolean {
    return this.heldUntil !== undefined;
  }

  /** Resolves when the attempt in progress (if any) has finished. */
  idle(): Promise<void> {
    return this.running;
  }

  /** Starts asking for the lease (the first attempt runs now); resolves after it. */
  start(): Promise<void> {
    this.stopped = false;
    return this.tick();
  }

  /** Stops asking; closes the link if held and releases the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.heldUntil === undefined) return;
    this.heldUntil = undefined;
    await this.o.onLost('stopping');
    await this.o.leases.release(this.o.name, this.o.holder).catch((err: unknown) => {
      this.o.logger.warn({ err, lease: this.o.name }, 'could not release the link lease (it expires by itself)');
    });
  }

  /** One attempt to take or renew; then the next is scheduled. Attempts never overlap. */
  private tick(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      const now = this.o.clock.now();
      try {
        const grant = await this.o.leases.acquire(this.o.name, this.o.holder, now, this.ttl);
        if (grant) {
          const fresh = this.heldUntil === undefined;
          this.heldUntil = grant.expiresAt;
          if (fresh) {
            this.o.logger.info({ lease: this.o.name, token: grant.token }, 'holding the link lease: opening the link');
            await this.o.onAcquired(grant.token);
          }
        } else if (this.heldUntil !== undefined) {
          this.heldUntil = undefined;
          this.o.logger.warn({ lease: this.o.name }, 'another node took the link lease: closing the link');
          await this.o.onLost('taken over');
        }
      } catch (err) {
        // Cannot tell: keep the link while the lease we had still runs, then give it up.
        if (this.heldUntil !== undefined && this.o.clock.now() + this.ttl / 3 >= this.heldUntil) {
          this.heldUntil = undefined;
          this.o.logger.error({ err, lease: this.o.name }, 'could not renew the link lease in time: closing the link');
          await this.o.onLost('renewal failed');
        } else {
          this.o.logger.warn({ err, lease: this.o.name }, 'could not take or renew the link lease');
        }
      }
      if (!this.stopped)
        this.timer = this.o.clock.setTimer(this.o.clock.now() + Math.floor(this.ttl / 3), () => {
          this.timer = undefined;
          void this.tick();
        });
    });
    return this.running;
  }
}
