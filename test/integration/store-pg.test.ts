// @requires: postgres
// The AlarmStore and ConfigStore conformance suites on real PostgreSQL, in a schema of its own.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { accessLogConformance } from './access-log-conformance.ts';
import { configStoreConformance } from './config-store-conformance.ts';
import { deviceMessageConformance } from './device-message-conformance.ts';
import { identityStoreConformance } from './identity-conformance.ts';
import { storeConformance } from './store-conformance.ts';
import { createPostgresStore } from '../../src/store/pg-store.ts';
import { dropSchema, freshPgStore, pgUrl, uniqueName } from '../support/services.ts';

storeConformance('PostgreSQL', freshPgStore);
accessLogConformance('PostgreSQL', freshPgStore);
deviceMessageConformance('PostgreSQL', freshPgStore);
identityStoreConformance('PostgreSQL', freshPgStore);
configStoreConformance('PostgreSQL', freshPgStore, {
  // Another process on the same schema: its own pool, nothing shared in memory.
  sameDatabase: async (t) => {
    const store = createPostgresStore({ url: pgUrl(), schema: t.schema!, max: 2 });
    return { store, close: () => store.close() };
  },
});

it('PostgreSQL: several processes migrating the same schema at once all succeed', async () => {
  const schema = uniqueName('t');
  const stores = [1, 2, 3].map(() => createPostgresStore({ url: pgUrl(), schema, max: 2 }));
  try {
    const results = await Promise.allSettled(stores.map((s) => s.migrate()));
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
      ['ok', 'ok', 'ok'],
    );
    const tables = await stores[0]!.db.introspection.getTables();
    assert.deepEqual(
      tables
        .filter((x) => x.schema === schema)
        .map((x) => x.name)
        .filter((n) => n !== 'tocsin_migrations')
        .sort(),
      [
        'access_log',
        'alarms',
        'api_tokens',
        'config_changes',
        'config_items',
        'device_message_keys', // issue 5
        'device_messages',
        'link_leases', // device links in cluster mode
        'login_throttle',
        'notifications',
        'outbox',
        'plans',
        'presence',
        'protocol',
        'pseudonym_key', // issue 4, item 10
        'pseudonyms',
        'sessions',
        'timers',
        'user_groups',
        'users',
      ],
    );
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  }
});
