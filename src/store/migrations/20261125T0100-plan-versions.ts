/**
 * Plan versioning: who published a version, and whether (since when, by whom) it is disabled.
 * Expand only: existing rows get `published_by = 'system'` and stay enabled, so the previous
 * release, which never reads these columns, keeps working.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('published_by', 'text', (c) => c.notNull().defaultTo('system'))
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('disabled_by', 'text')
    .execute();
}
