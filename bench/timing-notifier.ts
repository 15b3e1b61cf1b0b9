/**
 * Wraps the loopback notifier (no journal) and timestamps, with performance.now(), the first
 * send() per alarm, so the benchmark can measure trigger → first notify effect.
 */
import { LoopbackNotifier } from '../src/notify/loopback-notifier.ts';
import type { Notifier, OutgoingNotification, SendResult, Withdrawal } from '../src/ports/notifier.ts';
import type { Clock } from '../src/ports/clock.ts';

interface Expected {
  /** performance.now() when the raise was issued. */
  readonly issued: number;
  /** performance.now() when the open-loop schedule wanted it issued. */
  readonly intended: number;
}

export class TimingNotifier implements Notifier {
  readonly channel: string;
  readonly inner: LoopbackNotifier;
  sends = 0;
  /** Alarms whose first send is awaited, by id. */
  private readonly expected = new Map<string, Expected>();
  /** Issue → first send, ms. */
  readonly fromIssue: number[] = [];
  /** Intended issue time → first send, ms (corrects for a sender that fell behind). */
  readonly fromIntended: number[] = [];

  constructor(clock: Clock) {
    this.inner = new LoopbackNotifier({ clock });
    this.channel = this.inner.channel;
  }

  expect(alarmId: string, issued: number, intended: number): void {
    this.expected.set(alarmId, { issued, intended });
  }

  /** Forgets an expectation (the raise failed). */
  unexpect(alarmId: string): void {
    this.expected.delete(alarmId);
  }

  get outstanding(): number {
    return this.expected.size;
  }

  /** Clears samples and expectations between phases (also the loopback's delivery log). */
  reset(): void {
    this.expected.clear();
    this.fromIssue.length = 0;
    this.fromIntended.length = 0;
    this.inner.deliveries.length = 0;
  }

  send(n: OutgoingNotification): Promise<SendResult> {
    const at = performance.now();
    this.sends++;
    const e = this.expected.get(n.alarmId);
    if (e) {
      this.expected.delete(n.alarmId);
      this.fromIssue.push(at - e.issued);
      this.fromIntended.push(at - e.intended);
    }
    return this.inner.send(n);
  }

  withdraw(w: Withdrawal): Promise<SendResult> {
    return this.inner.withdraw(w);
  }
}
