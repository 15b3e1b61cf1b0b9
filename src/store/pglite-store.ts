/**
 * The AlarmStore on PGlite (embedded mode): PostgreSQL in WASM over a data directory (or in
 * memory when `dataDir` is undefined). Same SQL and migrations as pg-store.ts.
 *
 * Durability: PGlite itself never calls fsync. Unless `fsync: false`, every commit is followed
 * by an fsync of the WAL (wal-sync.ts) before `commit()` returns (see README for the exact claim).
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { DB } from './db-schema.ts';
import { KyselyAlarmStore } from './kysely-store.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { safeInt8 } from './int8.ts';
import { WalSync } from './wal-sync.ts';

export interface PgliteStoreOptions {
  /** Data directory; undefined = in memory (tests). */
  readonly dataDir?: string | undefined;
  /** fsync the WAL after every commit (see wal-sync.ts); ignored in memory. Default true. */
  readonly fsync?: boolean;
}

/** Opens (and if needed initialises) the PGlite database. Does not migrate. */
export async function createPgliteStore(opts: PgliteStoreOptions): Promise<KyselyAlarmStore> {
  const pglite = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    parsers: { 20: (text: string) => safeInt8(text) },
  });
  const db = new Kysely<DB>({ dialect: new PgliteDialect(pglite) });
  const wal = opts.dataDir && opts.fsync !== false ? new WalSync(opts.dataDir) : undefined;
  return new KyselyAlarmStore(
    'pglite',
    db,
    async () => {
      if (!pglite.closed) await pglite.close();
    },
    wal && (() => wal.sync()),
    'public',
    async (channel, onPayload) => {
      const stop = await pglite.listen(channel, onPayload);
      return async () => {
        if (!pglite.closed) await stop();
      };
    },
  );
}
