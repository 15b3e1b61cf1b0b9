/** `tocsin migrate`, and the configured store for one-shot commands (`tocsin plan publish|export`). */
import { join } from 'node:path';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';
import { createPgliteStore } from '../store/pglite-store.ts';
import { createPostgresStore } from '../store/pg-store.ts';
import type { Config } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';

/**
 * Opens the configured database (PostgreSQL, or PGlite in the data directory under its lock),
 * applies pending migrations, runs `fn`, and closes it again whatever `fn` does.
 */
export async function withStore<T>(config: Config, fn: (store: KyselyAlarmStore) => Promise<T>): Promise<T> {
  if (config.databaseUrl) {
    const store = createPostgresStore({
      url: config.databaseUrl,
      max: 1,
      ...(config.dbSchema ? { schema: config.dbSchema } : {}),
    });
    try {
      await store.migrate();
      return await fn(store);
    } finally {
      await store.close();
    }
  }
  const release = await lockDataDir(config.dataDir);
  try {
    const store = await createPgliteStore({ dataDir: join(config.dataDir, 'pglite') });
    try {
      await store.migrate();
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    release();
  }
}

/** Opens the configured database, applies migrations, closes it. */
export async function migrateOnly(config: Config): Promise<void> {
  await withStore(config, async () => {});
}
