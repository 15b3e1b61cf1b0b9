/**
 * Applies the ordered migrations once, in one transaction under a PostgreSQL advisory lock,
 * recording each in `tocsin_migrations` of the store's own schema. Safe when several
 * processes start at once (they queue on the lock). Written here rather than using Kysely's
 * Migrator because that one introspects every schema of the database to find its own tables,
 * which fails when another schema is dropped meanwhile (seen in CI) and mistakes another
 * schema's bookkeeping tables for its own.
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** Any constant shared by all Tocsin processes; "tocsin" in ASCII. */
const LOCK_KEY = 0x746f6373696e;

/** Applies the migrations not yet recorded, in name order; returns their names. Throws (and rolls back all) on failure. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against Kysely<any>
export async function migrateToLatest(db: Kysely<any>, migrations: Record<string, Migration>): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
    await sql`create table if not exists tocsin_migrations (name text primary key, applied_at timestamptz not null default now())`.execute(
      trx,
    );
    const done = new Set(
      (await trx.selectFrom('tocsin_migrations').select('name').execute()).map((r) => r.name as string),
    );
    const applied: string[] = [];
    for (const name of Object.keys(migrations).sort()) {
      if (done.has(name)) continue;
      await migrations[name]!.up(trx);
      await trx.insertInto('tocsin_migrations').values({ name }).execute();
      applied.push(name);
    }
    return applied;
  });
}
