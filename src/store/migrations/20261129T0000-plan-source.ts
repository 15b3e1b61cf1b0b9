/**
 * Plans keep the definition as published, member order included. `definition` is jsonb, which
 * reorders an object's keys (shorter keys first); XState reads a plan's states in document
 * order (parallel regions enter, and their actions run, in that order), so the version that
 * runs must be the one that was validated and simulated, and the editor must show it as its
 * author wrote it. `source` holds the published JSON text; rows from before have none and go on
 * running from `definition`, as they always did. Expand only: a new nullable column.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('plans').addColumn('source', 'text').execute();
}
