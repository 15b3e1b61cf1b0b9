/**
 * The ordered migration list (applied in name order by ../migrator.ts). A static list, not a
 * folder scan, so the same list runs under tsx, in a bundle and in tests, on PostgreSQL and
 * PGlite alike.
 */
import type { Migration } from 'kysely';
import * as initial from './20261125T0000-initial.ts';
import * as planVersions from './20261125T0100-plan-versions.ts';
import * as config from './20261126T0000-config.ts';
import * as accessLog from './20261126T0100-access-log.ts';
import * as identity from './20261126T0200-identity.ts';
import * as planEnvironments from './20261126T0300-plan-environments.ts';
import * as pseudonyms from './20261127T0000-pseudonyms.ts';
import * as deviceMessages from './20261127T0100-device-messages.ts';
import * as linkLeases from './20261128T0000-link-leases.ts';
import * as planSource from './20261129T0000-plan-source.ts';
import * as identityVersion from './20261130T0000-identity-version.ts';

export const migrations: Record<string, Migration> = {
  '20261125T0000-initial': initial,
  '20261125T0100-plan-versions': planVersions,
  '20261126T0000-config': config,
  '20261126T0100-access-log': accessLog,
  '20261126T0200-identity': identity,
  '20261126T0300-plan-environments': planEnvironments,
  '20261127T0000-pseudonyms': pseudonyms,
  '20261127T0100-device-messages': deviceMessages,
  '20261128T0000-link-leases': linkLeases,
  '20261129T0000-plan-source': planSource,
  '20261130T0000-identity-version': identityVersion,
};
