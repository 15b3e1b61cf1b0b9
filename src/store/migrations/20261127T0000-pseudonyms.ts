/**
 * Pseudonyms for personal values in the protocol (src/runtime/pseudonyms.ts): the mapping
 * pseudonym → value, whose value an erasure nulls, and the installation's one HMAC key.
 * Expand only: nothing existing changes; protocol entries written before stay as they are.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pseudonyms')
    .addColumn('pseudonym', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('erased_at', 'timestamptz')
    .execute();
  await sql`create unique index pseudonyms_value_idx on pseudonyms (value) where value is not null`.execute(db);

  // One row (id 1): the first process to start inserts its random key, every other reads it.
  await db.schema
    .createTable('pseudonym_key')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
