/**
 * Users and user groups get a version, so two administrators editing the same record cannot
 * overwrite each other silently: the HTTP API answers it as the ETag and refuses a stale
 * If-Match with 412, as the configuration API does. Every change to a row adds one. Expand
 * only: a column with a default, which the previous release neither reads nor needs to write.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['users', 'user_groups'])
    await db.schema
      .alterTable(table)
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
}
