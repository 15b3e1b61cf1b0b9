/**
 * The access log: logins and logouts, changes of users, groups, plans and configuration,
 * maintenance operations and permission denials, in one global hash chain (seq 1..n).
 * Append-only: a row trigger refuses UPDATE and DELETE and a statement trigger refuses
 * TRUNCATE, all with SQLSTATE 42501 (insufficient_privilege). No API or CLI deletes it.
 * Expand only: a new table; nothing the previous release reads changes.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('access_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('success', 'failure', 'denied')`))
    .addColumn('target', 'text')
    .addColumn('environment', 'text')
    .addColumn('details', 'jsonb')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // Export and the admin view filter by time and action.
  await db.schema.createIndex('access_log_at').on('access_log').column('at').execute();
  await sql`
    create function access_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the access log is append-only (% refused)', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`
    create trigger access_log_no_rewrite before update or delete on access_log
    for each row execute function access_log_append_only()`.execute(db);
  await sql`
    create trigger access_log_no_truncate before truncate on access_log
    for each statement execute function access_log_append_only()`.execute(db);
}
