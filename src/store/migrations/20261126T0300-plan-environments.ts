/**
 * Plans belong to an environment (DESIGN.md "Security model"). Expand only: existing versions,
 * and the built-in plans, get `*` — shared: every environment's alarm types may use them, and
 * only a holder of every environment may publish, disable or enable them.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any> (STYLE.md)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('environment', 'text', (c) => c.notNull().defaultTo('*'))
    .execute();
}
