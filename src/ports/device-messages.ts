/**
 * The DeviceMessageLedger port: which message on a device link belongs to which notification,
 * durably. A device protocol names its messages by its own key — OM AXI by (sendTime, id),
 * ids below 2^20 — and answers later by that key (delivered, accepted, rejected), possibly
 * after Tocsin restarted. The ledger allocates keys per channel without ever repeating one,
 * records each message with its notification in the same transaction, and finds it again by
 * key or by notification. Statuses only move forward (queued < delivered < answered | failed
 * | withdrawn; answered, failed and withdrawn are final).
 */

export type DeviceMessageStatus = 'queued' | 'delivered' | 'answered' | 'failed' | 'withdrawn';

/** A device message key: (sendTime in the device's seconds, id). */
export interface DeviceMessageKey {
  readonly sendTime: number;
  readonly id: number;
}

export interface DeviceMessage extends DeviceMessageKey {
  /** The link, e.g. `dect`. */
  readonly channel: string;
  readonly alarmId: string;
  readonly notificationId: string;
  /** Tocsin's recipient (a user or `device:…` address). */
  readonly recipient: string;
  /** The device address the message went to, e.g. `tel:4711`. */
  readonly address: string;
  /** What was sent (the adapter's message body), so that it can be sent again after a restart; null when none. */
  readonly payload: unknown;
  readonly status: DeviceMessageStatus;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface DeviceMessageLedger {
  /**
   * Records the message of notification (alarmId, notificationId) on `channel`, with the key
   * `next(last)` computes from the channel's last key (undefined for the first), in one
   * transaction under a lock, so concurrent callers never get the same key. Idempotent: a
   * notification already recorded on the channel returns its message and allocates nothing.
   */
  record(
    m: {
      readonly channel: string;
      readonly alarmId: string;
      readonly notificationId: string;
      readonly recipient: string;
      readonly address: string;
      readonly payload?: unknown;
      readonly at: number;
    },
    next: (last: DeviceMessageKey | undefined) => DeviceMessageKey,
  ): Promise<DeviceMessage>;
  find(channel: string, key: DeviceMessageKey): Promise<DeviceMessage | undefined>;
  findByNotification(channel: string, alarmId: string, notificationId: string): Promise<DeviceMessage | undefined>;
  /**
   * Moves a message forward to `status`; false (and nothing written) when it is unknown or
   * already at that status, a later one, or a final one.
   */
  advance(channel: string, key: DeviceMessageKey, status: DeviceMessageStatus, at: number): Promise<boolean>;
  /** Messages still open (queued or delivered) on `channel`, oldest first, at most `limit`. */
  open(channel: string, limit: number): Promise<DeviceMessage[]>;
}
