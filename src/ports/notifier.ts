/**
 * The Notifier port: one channel that puts a notification in front of a person (DECT handset,
 * SIP phone, e-mail ...). The runtime calls it only after the step that decided the
 * notification is committed, at least once per notification; `idempotencyKey` is stable
 * across retries and restarts, so an implementation that honours it never alerts twice.
 */
export interface OutgoingNotification {
  readonly idempotencyKey: string;
  readonly alarmId: string;
  readonly notificationId: string;
  readonly recipient: string;
  readonly text: string;
  readonly priority: number;
  readonly group: string;
  readonly round: number;
  /** Notification profile id (how the device presents it), when the plan names one. */
  readonly profile?: string | undefined;
}

export interface Withdrawal {
  readonly idempotencyKey: string;
  readonly alarmId: string;
  readonly notificationId: string;
  readonly recipient: string;
}

export type SendResult =
  { readonly ok: true } | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

export interface Notifier {
  readonly channel: string;
  /** Sends a notification. Resolves with a failure instead of throwing when the device says no. */
  send(n: OutgoingNotification): Promise<SendResult>;
  /** Takes a notification off the device (the alarm ended). Idempotent. */
  withdraw(w: Withdrawal): Promise<SendResult>;
}
