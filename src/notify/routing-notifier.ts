/**
 * Several notification channels at once: each recipient goes to the first channel that
 * reaches it (a user with a DECT handset → the OM AXI link, `device:pager:<n>` → the ESPA
 * 4.4.4 pager system, …). A withdrawal takes the same route as its notification, because the
 * choice depends on the recipient only. A recipient no channel reaches fails at once and for
 * good, so the plan sees a delivery failure and escalates.
 */
import type { Notifier, OutgoingNotification, SendResult, Withdrawal } from '../ports/notifier.ts';

export interface Route {
  readonly notifier: Notifier;
  /** Whether this channel reaches `recipient` (a login name, `device:…`, `contact:…`). */
  reaches(recipient: string): boolean | Promise<boolean>;
}

export class RoutingNotifier implements Notifier {
  readonly channel: string;

  constructor(private readonly routes: readonly Route[]) {
    this.channel = routes.map((r) => r.notifier.channel).join('+');
  }

  /** The channel that reaches `recipient`, if any. */
  async routeOf(recipient: string): Promise<Notifier | undefined> {
    for (const r of this.routes) if (await r.reaches(recipient)) return r.notifier;
    return undefined;
  }

  async send(n: OutgoingNotification): Promise<SendResult> {
    const to = await this.routeOf(n.recipient);
    if (!to) return { ok: false, retryable: false, reason: `no channel reaches ${n.recipient}` };
    return to.send(n);
  }

  async withdraw(w: Withdrawal): Promise<SendResult> {
    const to = await this.routeOf(w.recipient);
    // Nothing was sent where nothing reaches: nothing to take back.
    return to ? to.withdraw(w) : { ok: true };
  }
}
