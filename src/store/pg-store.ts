/**
 * The AlarmStore on PostgreSQL (cluster mode), through `pg`. int8 is parsed to a JS number
 * (and refused beyond 2^53) so results have the same types as on PGlite.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './db-schema.ts';
import { KyselyAlarmStore, type Listen } from './kysely-store.ts';
import { safeInt8 } from './int8.ts';

export interface PostgresStoreOptions {
  readonly url: string;
  /** Pool size; default 10. */
  readonly max?: number;
  /** Schema to use (created if missing); default `public`. Tests use one schema each. */
  readonly schema?: string;
}

/** Opens a pool (lazily: no connection until the first query). Does not migrate. */
export function createPostgresStore(opts: PostgresStoreOptions): KyselyAlarmStore {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? safeInt8 : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    // A database that stops answering must not hold an alarm's mailbox forever.
    keepAlive: true,
    statement_timeout: 10_000,
    query_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    types: types as pg.CustomTypesConfig,
    ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
  });
  // A client losing its connection must not crash the process: idle clients report through
  // the pool, checked-out ones through their own 'error' event; the failed query rejects anyway.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // The schema itself is created by migrate() (Kysely's migrator creates it with its tables).
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const listen: Listen = (channel, onPayload) => listenPg(opts.url, channel, onPayload);
  return new KyselyAlarmStore('postgres', db, async () => {}, undefined, opts.schema ?? 'public', listen);
}

/**
 * LISTEN on its own connection (a pooled one would be handed to queries). A lost connection is
 * re-opened after 1 s, doubling to 30 s; once it listens again `'*'` tells the listener that
 * notifications may have been missed. Resolves once the first LISTEN is in force.
 */
async function listenPg(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 1_000;
  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    c.on('notification', (m) => {
      if (m.channel === channel && m.payload !== undefined) onPayload(m.payload);
    });
    const lost = () => {
      if (client !== c || stopped) return;
      client = undefined;
      c.end().catch(() => {});
      retry = setTimeout(() => void reopen(), delay);
      delay = Math.min(delay * 2, 30_000);
    };
    c.on('error', lost);
    c.on('end', lost);
    client = c;
    await c.connect();
    await c.query(`LISTEN "${channel}"`);
    delay = 1_000;
  };
  const reopen = async (): Promise<void> => {
    if (stopped) return;
    try {
      await open();
      onPayload('*');
    } catch {
      const c = client;
      client = undefined;
      c?.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void reopen(), delay);
      delay = Math.min(delay * 2, 30_000);
    }
  };
  await open();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}`);
  return `"${name}"`;
}
