/**
 * The loopback notifier: a channel with no device behind it, for embedded demos, tests and
 * benchmarks until real channels (DECT, SIP, e-mail) arrive with their adapters. It behaves
 * like a well-made device link: it honours idempotency keys (a repeated key is acknowledged
 * and not delivered again), optionally journals every delivery to a file (one JSON line, so a
 * crashed process leaves evidence), and can answer on the recipient's behalf after a delay.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Clock } from '../ports/clock.ts';
import type { Notifier, OutgoingNotification, SendResult, Withdrawal } from '../ports/notifier.ts';

export interface LoopbackDelivery {
  readonly op: 'send' | 'withdraw';
  readonly key: string;
  readonly alarmId: string;
  readonly notificationId: string;
  readonly recipient: string;
  readonly at: number;
  readonly text?: string;
}

export interface AutoResponse {
  readonly response: 'accept' | 'reject';
  readonly afterMs: number;
}

export interface LoopbackOptions {
  readonly clock: Clock;
  /** Append-only JSON-lines journal; read back at start so keys stay deduplicated across restarts. */
  readonly journalPath?: string | undefined;
  /** Recipient → how they answer. */
  readonly autoRespond?: Readonly<Record<string, AutoResponse>>;
  /** Called for auto-responses; wired to the runtime by src/app. */
  readonly respond?: (alarmId: string, recipient: string, response: 'accept' | 'reject') => Promise<void>;
  /** Makes the next `n` sends fail (for fault tests): retryable or not. */
  readonly failNext?: { count: number; retryable: boolean };
  /** How many deliveries and keys it remembers (oldest forgotten first); default 100,000. */
  readonly remember?: number;
}

export class LoopbackNotifier implements Notifier {
  readonly channel = 'loopback';
  readonly deliveries: LoopbackDelivery[] = [];
  /** Every call, including deduplicated repeats. */
  attempts = 0;
  private readonly seen = new Set<string>();
  private failures: { count: number; retryable: boolean };

  constructor(private readonly o: LoopbackOptions) {
    this.failures = { ...(o.failNext ?? { count: 0, retryable: true }) };
    if (o.journalPath && existsSync(o.journalPath)) {
      for (const line of readFileSync(o.journalPath, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const d = JSON.parse(line) as LoopbackDelivery;
          this.seen.add(`${d.op}:${d.key}`);
        } catch {
          // a torn last line from a crash: that delivery never completed
        }
      }
    }
  }

  /** Makes the next `count` sends fail. */
  failNextSends(count: number, retryable: boolean): void {
    this.failures = { count, retryable };
  }

  async send(n: OutgoingNotification): Promise<SendResult> {
    this.attempts++;
    if (this.failures.count > 0) {
      this.failures.count--;
      return { ok: false, retryable: this.failures.retryable, reason: 'loopback: injected failure' };
    }
    if (!this.record('send', n.idempotencyKey, n, n.text)) return { ok: true };
    const auto = this.o.autoRespond?.[n.recipient];
    if (auto && this.o.respond) {
      const respond = this.o.respond;
      this.o.clock.setTimer(this.o.clock.now() + auto.afterMs, () => {
        void respond(n.alarmId, n.recipient, auto.response).catch(() => {});
      });
    }
    return { ok: true };
  }

  async withdraw(w: Withdrawal): Promise<SendResult> {
    this.record('withdraw', w.idempotencyKey, w);
    return { ok: true };
  }

  /** Records a delivery once per (op, key); returns false for a repeat. */
  private record(op: 'send' | 'withdraw', key: string, n: Withdrawal, text?: string): boolean {
    const id = `${op}:${key}`;
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    const d: LoopbackDelivery = {
      op,
      key,
      alarmId: n.alarmId,
      notificationId: n.notificationId,
      recipient: n.recipient,
      at: this.o.clock.now(),
      ...(text !== undefined ? { text } : {}),
    };
    this.deliveries.push(d);
    const limit = this.o.remember ?? 100_000;
    if (this.deliveries.length > limit) this.deliveries.splice(0, this.deliveries.length - limit);
    if (this.seen.size > limit) this.seen.delete(this.seen.values().next().value as string);
    if (this.o.journalPath) appendFileSync(this.o.journalPath, `${JSON.stringify(d)}\n`);
    return true;
  }
}
