/** Test services: real PostgreSQL (a fresh schema per test) and Redis URLs, PGlite in memory. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgliteStore } from '../../src/store/pglite-store.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import type { KyselyAlarmStore } from '../../src/store/kysely-store.ts';

export const pgUrl = (): string => process.env.TOCSIN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = (): string => process.env.TOCSIN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique lower-case name for schemas, queue prefixes and data dirs. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

export interface TestStore {
  readonly store: KyselyAlarmStore;
  /** Schema name (PostgreSQL) for processes that must share it. */
  readonly schema: string | undefined;
  cleanup(): Promise<void>;
}

/** A migrated store on real PostgreSQL in a schema of its own; cleanup drops the schema. */
export async function freshPgStore(opts: { max?: number } = {}): Promise<TestStore> {
  const schema = uniqueName('t');
  const store = createPostgresStore({ url: pgUrl(), schema, max: opts.max ?? 5 });
  await store.migrate();
  return {
    store,
    schema,
    async cleanup() {
      await store.close().catch(() => {});
      await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl() });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

/** A migrated PGlite store in memory. */
export async function memoryStore(): Promise<TestStore> {
  const store = await createPgliteStore({});
  await store.migrate();
  return { store, schema: undefined, cleanup: () => store.close() };
}
