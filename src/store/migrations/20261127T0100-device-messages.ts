/**
 * The device message ledger (src/ports/device-messages.ts): which message on a device link
 * (OM AXI's (sendTime, id)) belongs to which notification, and each channel's last allocated
 * key. The key row is inserted empty (both key columns null) the first time a channel records,
 * so it can be locked `for update` before any key exists.
 * Expand only: new tables; nothing the previous release reads changes.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_messages')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('send_time', 'bigint', (c) => c.notNull())
    .addColumn('msg_id', 'integer', (c) => c.notNull())
    .addColumn('alarm_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    // What the adapter needs to send the message again under its key (e.g. the OM AXI body).
    .addColumn('payload', 'jsonb')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'delivered', 'answered', 'failed', 'withdrawn')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_messages_pkey', ['channel', 'send_time', 'msg_id'])
    .addUniqueConstraint('device_messages_notification_key', ['channel', 'alarm_id', 'notification_id'])
    .execute();
  // `open`: a channel's queued and delivered messages, oldest first.
  await db.schema
    .createIndex('device_messages_open')
    .on('device_messages')
    .columns(['channel', 'status', 'created_at'])
    .execute();

  await db.schema
    .createTable('device_message_keys')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    // Null (both) until the channel's first key is allocated.
    .addColumn('send_time', 'bigint')
    .addColumn('msg_id', 'integer')
    .addCheckConstraint('device_message_keys_whole', sql`(send_time is null) = (msg_id is null)`)
    .execute();
}
