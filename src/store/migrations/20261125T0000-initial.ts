/**
 * Initial schema: plans, alarms, the hash-chained protocol, durable timers, notifications and
 * the effect outbox. Frozen once released; later changes go in new files (expand, then contract).
 * Times are timestamptz; ids are text; counters are integer, so `pg` and PGlite agree on types.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md): they must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('plans_pk', ['id', 'version'])
    .execute();

  await db.schema
    .createTable('alarms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('source', 'jsonb', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull())
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'ended')`))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addForeignKeyConstraint('alarms_plan_fk', ['plan_id', 'plan_version'], 'plans', ['id', 'version'])
    .execute();
  await db.schema.createIndex('alarms_status_idx').on('alarms').columns(['status', 'raised_at']).execute();

  await db.schema
    .createTable('protocol')
    .addColumn('alarm_id', 'text', (c) => c.notNull().references('alarms.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('guards', 'jsonb', (c) => c.notNull())
    .addColumn('effects', 'jsonb', (c) => c.notNull())
    .addColumn('actor', 'jsonb', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('late_ms', 'integer')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('protocol_pk', ['alarm_id', 'seq'])
    .execute();
  // The protocol is append-only: no role the application uses may rewrite history.
  await sql`
    create function protocol_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the protocol is append-only (% refused)', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`
    create trigger protocol_no_rewrite before update or delete on protocol
    for each row execute function protocol_append_only()`.execute(db);

  await db.schema
    .createTable('timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alarm_id', 'text', (c) => c.notNull().references('alarms.id'))
    .addColumn('send_id', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'fired', 'cancelled')`))
    .addColumn('created_seq', 'integer', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz')
    .addColumn('late_ms', 'integer')
    .execute();
  await sql`create index timers_pending_idx on timers (due_at, id) where status = 'pending'`.execute(db);
  await db.schema.createIndex('timers_alarm_idx').on('timers').columns(['alarm_id', 'send_id']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('alarm_id', 'text', (c) => c.notNull().references('alarms.id'))
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('grp', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('read_at', 'timestamptz')
    .addColumn('responded_at', 'timestamptz')
    .addColumn('response', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('notifications_pk', ['alarm_id', 'notification_id'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alarm_id', 'text', (c) => c.notNull().references('alarms.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'done', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz')
    .addColumn('error', 'text')
    .execute();
  await sql`create index outbox_pending_idx on outbox (created_at, id) where status = 'pending'`.execute(db);
}
