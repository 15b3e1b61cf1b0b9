/**
 * The ordered migration list. A static provider (not a folder scan) so the same list runs
 * under tsx, in a bundle and in tests, on PostgreSQL and PGlite alike.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './20261125T0000-initial.ts';

const migrations: Record<string, Migration> = {
  '20261125T0000-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
