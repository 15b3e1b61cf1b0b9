/**
 * Executes committed outbox rows through the Notifier: notify and withdraw. At-least-once:
 * a row stays pending (and is retried by the reconciler once its lease expires) until every
 * notification in it was handed over or failed for good. Notifications already marked sent
 * are skipped, and the idempotency key lets the device drop the rare duplicate.
 */
import type { AlarmStore, OutboxRecord } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Notifier, SendResult } from '../ports/notifier.ts';
import type { Logger, RuntimeObserver } from './observer.ts';

interface NotifyPayload {
  group: string;
  round: number;
  text: string;
  priority: number;
  profile?: string;
  notifications: { id: string; user: string; key: string }[];
}
interface WithdrawPayload {
  notifications: { id: string; user: string; key: string }[];
}

export interface EffectRunnerOptions {
  readonly store: AlarmStore;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly observer: RuntimeObserver;
  readonly logger: Logger;
  /** How long a claim protects a row from other runners. */
  readonly leaseMs: number;
  /** Attempts after which a still-failing row is given up (and recorded as failed). */
  readonly maxAttempts: number;
  /**
   * Called once a notification has failed for good (not retryable, or attempts used up),
   * after it is marked failed. Not awaited: it runs in the alarm's mailbox, which may be the
   * one running this effect. Must not throw; a rejection is logged.
   */
  readonly onDeliveryFailed?: (
    alarmId: string,
    notificationId: string,
    reason: string,
    retryable: boolean,
  ) => Promise<void> | void;
  /**
   * Whether `recipient` may be notified at all: false for a Tocsin user whose user group lacks
   * the permission "Receive Notifications" (or who was erased). Such a notification fails for
   * good at once, so the plan sees a delivery failure and escalates. Absent: everyone may.
   */
  readonly mayReceive?: (recipient: string) => Promise<boolean>;
  /**
   * Whether this node may run effects now. In cluster mode only the node holding the device
   * link's lease can reach the device, so the others leave committed effects pending for it
   * (it runs them when the change feed announces them, and its reconciler). Absent: always.
   */
  readonly mayRun?: () => boolean;
  /** Raises a forwarded alarm; `{ok: false}` gives the forward up (e.g. an unknown alarm type). */
  readonly onForward?: (
    fromAlarmId: string,
    p: ForwardPayload,
  ) => Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** The failure reason of a notification to a user who may not receive notifications. */
export const NOT_PERMITTED = 'the recipient may not receive notifications (user group without "Receive Notifications")';

/** Forward chains longer than this are refused (a plan forwarding to a type that forwards back). */
export const MAX_FORWARD_DEPTH = 4;

export interface ForwardPayload {
  readonly alarmType: string;
  readonly text: string;
  readonly id: string;
  readonly depth: number;
}

export class EffectRunner {
  constructor(private readonly o: EffectRunnerOptions) {}

  /** Claims the given rows (or any expired ones when `ids` is undefined) and runs them. Never throws. */
  async runPending(ids?: readonly string[], limit = 100): Promise<number> {
    if (this.o.mayRun && !this.o.mayRun()) return 0;
    let rows: OutboxRecord[];
    try {
      rows = await this.o.store.claimOutbox({
        now: this.o.clock.now(),
        leaseMs: this.o.leaseMs,
        limit,
        ...(ids ? { ids } : {}),
      });
    } catch (err) {
      this.o.logger.warn({ err }, 'outbox claim failed; the reconciler retries');
      return 0;
    }
    await Promise.all(rows.map((row) => this.runRow(row)));
    return rows.length;
  }

  private async runRow(row: OutboxRecord): Promise<void> {
    const log = { alarmId: row.alarmId, outbox: row.id, attempt: row.attempts };
    try {
      const failures =
        row.kind === 'notify'
          ? await this.notify(row)
          : row.kind === 'forward'
            ? await this.forward(row)
            : await this.withdraw(row);
      const retryable = failures.filter((f) => f.retryable);
      if (retryable.length > 0 && row.attempts < this.o.maxAttempts) {
        this.o.logger.warn({ ...log, failures }, 'effect failed; will retry');
        return; // stays pending; the lease expires and the reconciler runs it again
      }
      const error = failures.map((f) => `${f.user}: ${f.reason}`).join('; ');
      await this.o.store.completeOutbox(row.id, {
        status: failures.length > 0 ? 'failed' : 'done',
        at: this.o.clock.now(),
        ...(error ? { error } : {}),
      });
    } catch (err) {
      this.o.observer.effectFailed(row.kind, true);
      this.o.logger.warn({ ...log, err }, 'effect interrupted; will retry');
    }
  }

  private async notify(row: OutboxRecord) {
    const p = row.payload as NotifyPayload;
    const already = new Map(
      (await this.o.store.listNotifications(row.alarmId)).map((n) => [n.notificationId, n.status]),
    );
    const failures: { user: string; reason: string; retryable: boolean }[] = [];
    // Who may be notified, asked for all before the first send: a send must not wait on another's lookup.
    const mayReceive = this.o.mayReceive;
    const permittedAll = await Promise.all(
      p.notifications.map((n) => (mayReceive && already.get(n.id) === 'pending' ? mayReceive(n.user) : true)),
    );
    await Promise.all(
      p.notifications.map(async (n, i) => {
        if (already.get(n.id) !== 'pending') return; // sent, answered or withdrawn meanwhile
        const permitted = permittedAll[i];
        const result: SendResult = !permitted
          ? { ok: false, retryable: false, reason: NOT_PERMITTED }
          : await this.o.notifier.send({
              idempotencyKey: n.key,
              alarmId: row.alarmId,
              notificationId: n.id,
              recipient: n.user,
              text: p.text,
              priority: p.priority,
              group: p.group,
              round: p.round,
              ...(p.profile !== undefined ? { profile: p.profile } : {}),
            });
        const now = this.o.clock.now();
        if (result.ok) {
          await this.o.store.markNotification(row.alarmId, n.id, { status: 'sent', at: now });
          this.o.observer.notifyLatency(now - row.createdAt, this.o.notifier.channel);
        } else {
          this.o.observer.effectFailed('notify', result.retryable);
          failures.push({ user: n.user, reason: result.reason, retryable: result.retryable });
          if (!result.retryable || row.attempts >= this.o.maxAttempts) {
            await this.o.store.markNotification(row.alarmId, n.id, { status: 'failed', at: now, error: result.reason });
            this.deliveryFailed(row.alarmId, n.id, result.reason, result.retryable);
          }
        }
      }),
    );
    return failures;
  }

  /** Raises the forwarded alarm (idempotent: its id is fixed by the step that forwarded). */
  private async forward(row: OutboxRecord) {
    const p = row.payload as ForwardPayload;
    if (!this.o.onForward) return [{ user: p.alarmType, reason: 'forwarding is not wired', retryable: false }];
    if (p.depth > MAX_FORWARD_DEPTH) {
      this.o.logger.error({ alarmId: row.alarmId, ...p }, 'forward refused: too many forwards in a row');
      return [{ user: p.alarmType, reason: `more than ${MAX_FORWARD_DEPTH} forwards in a row`, retryable: false }];
    }
    const r = await this.o.onForward(row.alarmId, p);
    return r.ok ? [] : [{ user: p.alarmType, reason: r.reason, retryable: false }];
  }

  /** Hands a final delivery failure to `onDeliveryFailed` without waiting for it. */
  private deliveryFailed(alarmId: string, notificationId: string, reason: string, retryable: boolean): void {
    const cb = this.o.onDeliveryFailed;
    if (!cb) return;
    void Promise.resolve()
      .then(() => cb(alarmId, notificationId, reason, retryable))
      .catch((err: unknown) =>
        this.o.logger.warn({ alarmId, notificationId, err }, 'delivery failure could not be fed to the plan'),
      );
  }

  private async withdraw(row: OutboxRecord) {
    const p = row.payload as WithdrawPayload;
    const failures: { user: string; reason: string; retryable: boolean }[] = [];
    await Promise.all(
      p.notifications.map(async (n) => {
        const result = await this.o.notifier.withdraw({
          idempotencyKey: n.key,
          alarmId: row.alarmId,
          notificationId: n.id,
          recipient: n.user,
        });
        if (!result.ok) failures.push({ user: n.user, reason: result.reason, retryable: result.retryable });
      }),
    );
    return failures;
  }
}
