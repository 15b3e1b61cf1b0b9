/**
 * The DeviceMessageLedger over Kysely (PostgreSQL and PGlite, one set of SQL). Keys are
 * allocated under a row lock on the channel's row in `device_message_keys` (inserted empty
 * with `on conflict do nothing` the first time, then `select … for update`): a lock that is
 * per channel, held to commit, and visible as data, so no advisory-lock class is needed and
 * two channels never wait for each other. The idempotency lookup runs under the same lock, so
 * two callers recording the same notification at once get the same message.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { TocsinError } from '../domain/errors.ts';
import type {
  DeviceMessage,
  DeviceMessageKey,
  DeviceMessageLedger,
  DeviceMessageStatus,
} from '../ports/device-messages.ts';
import type { DB, DeviceMessagesTable } from './db-schema.ts';

type Row = Selectable<DeviceMessagesTable>;

/** What `record` takes (the port's input: the message with its optional payload). */
export type DeviceMessageInput = Parameters<DeviceMessageLedger['record']>[0];

const date = (t: number): Date => new Date(Math.trunc(t));

/** Statuses only move forward; answered, failed and withdrawn share the last rank (final). */
const RANK: Record<DeviceMessageStatus, number> = { queued: 0, delivered: 1, answered: 2, failed: 2, withdrawn: 2 };
const rankOf = sql<number>`(case status when 'queued' then 0 when 'delivered' then 1 else 2 end)`;

const toMessage = (r: Row): DeviceMessage => ({
  channel: r.channel,
  sendTime: r.send_time,
  id: r.msg_id,
  alarmId: r.alarm_id,
  notificationId: r.notification_id,
  recipient: r.recipient,
  address: r.address,
  payload: r.payload ?? null,
  status: r.status as DeviceMessageStatus,
  createdAt: r.created_at.getTime(),
  updatedAt: r.updated_at.getTime(),
});

/** PostgreSQL unique_violation (pg and PGlite both carry the SQLSTATE as `code`). */
const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23505';

export class KyselyDeviceMessageStore implements DeviceMessageLedger {
  constructor(
    private readonly db: Kysely<DB>,
    /** Called after each successful commit, before it is acknowledged (PGlite's WAL fsync). */
    private readonly durable?: () => Promise<void>,
  ) {}

  /**
   * See DeviceMessageLedger.record. Throws a RangeError when `next` answers a key that is not
   * a pair of integers (msg_id must fit an int4), and a TocsinError `conflict` when it answers
   * a key the channel already used; either way nothing is written.
   */
  async record(
    m: DeviceMessageInput,
    next: (last: DeviceMessageKey | undefined) => DeviceMessageKey,
  ): Promise<DeviceMessage> {
    const { message, wrote } = await this.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('device_message_keys')
          .values({ channel: m.channel, send_time: null, msg_id: null })
          .onConflict((oc) => oc.column('channel').doNothing())
          .execute();
        const last = await trx
          .selectFrom('device_message_keys')
          .select(['send_time', 'msg_id'])
          .where('channel', '=', m.channel)
          .forUpdate()
          .executeTakeFirstOrThrow();

        const existing = await trx
          .selectFrom('device_messages')
          .selectAll()
          .where('channel', '=', m.channel)
          .where('alarm_id', '=', m.alarmId)
          .where('notification_id', '=', m.notificationId)
          .executeTakeFirst();
        if (existing) return { message: toMessage(existing), wrote: false };

        const key = next(
          last.send_time === null || last.msg_id === null ? undefined : { sendTime: last.send_time, id: last.msg_id },
        );
        if (
          !Number.isSafeInteger(key.sendTime) ||
          !Number.isInteger(key.id) ||
          key.id < -(2 ** 31) ||
          key.id >= 2 ** 31
        ) {
          throw new RangeError(`device message key (${key.sendTime}, ${key.id}) on ${m.channel} is not storable`);
        }
        const row = await trx
          .insertInto('device_messages')
          .values({
            channel: m.channel,
            send_time: key.sendTime,
            msg_id: key.id,
            alarm_id: m.alarmId,
            notification_id: m.notificationId,
            recipient: m.recipient,
            address: m.address,
            payload: m.payload === undefined ? null : JSON.stringify(m.payload),
            status: 'queued',
            created_at: date(m.at),
            updated_at: date(m.at),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('device_message_keys')
          .set({ send_time: key.sendTime, msg_id: key.id })
          .where('channel', '=', m.channel)
          .execute();
        return { message: toMessage(row), wrote: true };
      })
      .catch((err: unknown) => {
        if (!isUniqueViolation(err)) throw err;
        throw new TocsinError('conflict', `device message key already used on ${m.channel}`, { cause: err });
      });
    if (wrote && this.durable) await this.durable();
    return message;
  }

  /** See DeviceMessageLedger.find. */
  async find(channel: string, key: DeviceMessageKey): Promise<DeviceMessage | undefined> {
    const r = await this.db
      .selectFrom('device_messages')
      .selectAll()
      .where('channel', '=', channel)
      .where('send_time', '=', key.sendTime)
      .where('msg_id', '=', key.id)
      .executeTakeFirst();
    return r && toMessage(r);
  }

  /** See DeviceMessageLedger.findByNotification. */
  async findByNotification(
    channel: string,
    alarmId: string,
    notificationId: string,
  ): Promise<DeviceMessage | undefined> {
    const r = await this.db
      .selectFrom('device_messages')
      .selectAll()
      .where('channel', '=', channel)
      .where('alarm_id', '=', alarmId)
      .where('notification_id', '=', notificationId)
      .executeTakeFirst();
    return r && toMessage(r);
  }

  /** See DeviceMessageLedger.advance: one UPDATE, guarded by the rank, so it is race-free. */
  async advance(channel: string, key: DeviceMessageKey, status: DeviceMessageStatus, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('device_messages')
      .set({ status, updated_at: date(at) })
      .where('channel', '=', channel)
      .where('send_time', '=', key.sendTime)
      .where('msg_id', '=', key.id)
      .where(rankOf, '<', RANK[status])
      .executeTakeFirst();
    const moved = Number(r.numUpdatedRows) > 0;
    if (moved && this.durable) await this.durable();
    return moved;
  }

  /** See DeviceMessageLedger.open; ties in created_at are broken by key. */
  async open(channel: string, limit: number): Promise<DeviceMessage[]> {
    const rows = await this.db
      .selectFrom('device_messages')
      .selectAll()
      .where('channel', '=', channel)
      .where('status', 'in', ['queued', 'delivered'])
      .orderBy('created_at')
      .orderBy('send_time')
      .orderBy('msg_id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }
}
