/** `tocsin migrate`: opens the configured database, applies migrations, closes it. */
import { join } from 'node:path';
import { createPgliteStore } from '../store/pglite-store.ts';
import { createPostgresStore } from '../store/pg-store.ts';
import type { Config } from './config.ts';
import { lockDataDir } from './data-dir-lock.ts';

export async function migrateOnly(config: Config): Promise<void> {
  if (config.databaseUrl) {
    const store = createPostgresStore({
      url: config.databaseUrl,
      max: 1,
      ...(config.dbSchema ? { schema: config.dbSchema } : {}),
    });
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    return;
  }
  const release = await lockDataDir(config.dataDir);
  try {
    const store = await createPgliteStore({ dataDir: join(config.dataDir, 'pglite') });
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
  } finally {
    release();
  }
}
