/**
 * The AlarmStore on PGlite (embedded mode): PostgreSQL in WASM over a data directory (or in
 * memory when `dataDir` is undefined). Same SQL and migrations as pg-store.ts.
 *
 * Durability: PGlite itself never calls fsync. With `durable: true`, `syncToDisk()` fsyncs the
 * data directory's WAL so a commit survives a power loss once it returns (see README).
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { DB } from './db-schema.ts';
import { KyselyAlarmStore } from './kysely-store.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { safeInt8 } from './int8.ts';

export interface PgliteStoreOptions {
  /** Data directory; undefined = in memory (tests). */
  readonly dataDir?: string | undefined;
}

/** Opens (and if needed initialises) the PGlite database. Does not migrate. */
export async function createPgliteStore(opts: PgliteStoreOptions): Promise<KyselyAlarmStore> {
  const pglite = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    parsers: { 20: (text: string) => safeInt8(text) },
  });
  const db = new Kysely<DB>({ dialect: new PgliteDialect(pglite) });
  return new KyselyAlarmStore('pglite', db, async () => {
    if (!pglite.closed) await pglite.close();
  });
}
