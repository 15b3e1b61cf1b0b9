/**
 * Row mapping for the identity tables (users, user_groups, sessions, api_tokens,
 * login_throttle): database rows to the IdentityStore's records (timestamps to epoch ms, JSON
 * columns to string arrays), records to column values, and the two column helpers they share.
 */
import type { Selectable } from 'kysely';
import type { Language, UserGroup } from '../domain/identity.ts';
import type { Permission } from '../domain/permissions.ts';
import type { NewUser, SessionRow, StoredGroup, StoredUser, ThrottleRow, TokenRow } from '../ports/identity-store.ts';
import type { DB, UsersTable } from './db-schema.ts';

/** A JSON column's value. */
export const json = (v: unknown): string => JSON.stringify(v);
/** A timestamp column's value from epoch ms (fractions dropped). */
export const date = (t: number): Date => new Date(Math.trunc(t));
const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function toUser(r: Selectable<UsersTable>): StoredUser {
  return {
    id: r.id,
    loginName: r.login_name,
    loginKey: r.login_key,
    displayName: r.display_name,
    phone: r.phone,
    mobile: r.mobile,
    email: r.email,
    language: r.language as Language,
    startPage: r.start_page,
    userGroup: r.user_group,
    environments: strings(r.environments),
    hasPin: r.pin_hash !== null,
    mustChangePassword: r.must_change_password,
    locked: r.locked,
    builtIn: r.built_in,
    erased: r.erased,
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    version: r.version,
    passwordHash: r.password_hash,
    pinHash: r.pin_hash,
  };
}

export function toGroup(r: Selectable<DB['user_groups']>): StoredGroup {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: strings(r.permissions) as Permission[],
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    version: r.version,
  };
}

export function toSession(r: Selectable<DB['sessions']>): SessionRow {
  return {
    idHash: r.id_hash,
    userId: r.user_id,
    createdAt: r.created_at.getTime(),
    lastSeenAt: r.last_seen_at.getTime(),
    expiresAt: r.expires_at.getTime(),
    source: r.source,
    csrfHash: r.csrf_hash,
  };
}

export function toToken(r: Selectable<DB['api_tokens']>): TokenRow {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    name: r.name,
    ownerId: r.owner_id,
    permissions: strings(r.permissions),
    environments: strings(r.environments),
    createdAt: r.created_at.getTime(),
    expiresAt: ms(r.expires_at),
    revokedAt: ms(r.revoked_at),
    lastUsedAt: ms(r.last_used_at),
  };
}

export function toThrottle(r: Selectable<DB['login_throttle']>): ThrottleRow {
  return {
    key: r.key,
    failures: Number(r.failures),
    firstAt: r.first_at.getTime(),
    lastAt: r.last_at.getTime(),
    blockedUntil: ms(r.blocked_until),
    locked: r.locked,
  };
}

/** The column values of a new user row created at `at`. */
export function userValues(u: NewUser, at: number) {
  return {
    id: u.id,
    login_name: u.loginName,
    login_key: u.loginKey,
    display_name: u.displayName,
    phone: u.phone,
    mobile: u.mobile,
    email: u.email,
    language: u.language,
    start_page: u.startPage,
    user_group: u.userGroup,
    environments: json(u.environments),
    password_hash: u.passwordHash,
    pin_hash: u.pinHash,
    must_change_password: u.mustChangePassword,
    built_in: u.builtIn,
    password_changed_at: date(at),
    created_at: date(at),
    updated_at: date(at),
  };
}

/** The column values of a user group row, without its timestamps. */
export const groupValues = (g: UserGroup) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  permissions: json(g.permissions),
});
