/** `tocsin migrate`, and the configured store for one-shot commands (`tocsin plan publish|export`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import { createPgliteStore } from '../store/pglite-store.ts';
import { createPostgresStore } from '../store/pg-store.ts';
import type { Config } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';

/** This release's version (package.json), as recorded with maintenance operations. */
export const TOCSIN_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Applies pending migrations and, when at least one was applied, records them in the access log
 * as `maintenance.update` by `system` (the log's table is itself created by a migration, so the
 * entry comes after them). Throws when migrating or recording fails; migrations stay applied.
 */
export async function migrateAndRecord(
  store: KyselyAlarmStore,
  opts: { readonly at: () => number; readonly via: 'start' | 'migrate' },
): Promise<string[]> {
  const applied = await store.migrate();
  if (applied.length > 0) {
    await store.accessLog.append({
      at: opts.at(),
      actor: 'system',
      action: 'maintenance.update',
      outcome: 'success',
      details: { migrations: applied, via: opts.via, version: TOCSIN_VERSION },
    });
  }
  return applied;
}

/**
 * Opens the configured database (PostgreSQL, or PGlite in the data directory under its lock),
 * applies pending migrations, runs `fn`, and closes it again whatever `fn` does.
 */
export async function withStore<T>(
  config: Config,
  fn: (store: KyselyAlarmStore) => Promise<T>,
  // Only `tocsin migrate` records what it applied: a read-only command such as `tocsin audit
  // verify` on a fresh data directory must not add its own entry to the log it is checking.
  migrate: (store: KyselyAlarmStore) => Promise<unknown> = (store) => store.migrate(),
): Promise<T> {
  if (config.databaseUrl) {
    const store = createPostgresStore({
      url: config.databaseUrl,
      max: 1,
      ...(config.dbSchema ? { schema: config.dbSchema } : {}),
    });
    try {
      await migrate(store);
      return await fn(store);
    } finally {
      await store.close();
    }
  }
  const release = await lockDataDir(config.dataDir);
  try {
    const store = await createPgliteStore({ dataDir: join(config.dataDir, 'pglite') });
    try {
      await migrate(store);
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    release();
  }
}

/** Opens the configured database, applies migrations (recorded in the access log), closes it. */
export async function migrateOnly(config: Config): Promise<void> {
  await withStore(
    config,
    async () => {},
    (store) => migrateAndRecord(store, { at: () => Date.now(), via: 'migrate' }),
  );
}
