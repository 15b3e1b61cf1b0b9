/**
 * Identity and authentication (issue 4, without HTTP): first-start bootstrap, login with
 * throttling and lockout, server-side sessions with idle and absolute timeouts and a CSRF
 * token, API tokens scoped to a subset of their creator's rights, users and user groups with
 * the rules that hold whoever calls (the built-in admin stays, login names are unique without
 * regard to case, a group in use stays, nobody grants what they do not hold), and erasure of
 * a user's personal data. Which principal may call which method is the caller's check
 * (`can`); every change and every login outcome is reported through `onAudit`.
 *
 * Users and groups carry a version (1 at creation, +1 per change). An admin's change may name
 * the version it was read at (`ifVersion`; 0 for a group: must not exist yet): a stale one is
 * refused as `precondition-failed` (412) and writes nothing, so two admins never overwrite
 * each other's edit of a user or of a permission set silently.
 *
 * Secrets: passwords and PINs are hashed with scrypt (passwords.ts); session ids, CSRF tokens
 * and API tokens are 32 random bytes, stored as SHA-256. A login for an unknown user does the
 * work of a real one (a dummy hash) and fails with the same answer as a wrong password.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { zodProblems } from '../domain/validation.ts';
import { TocsinError, type ProblemDetail } from '../domain/errors.ts';
import {
  LOGIN_NAME_MAX,
  PASSWORD_MAX,
  boundedLength,
  checkPassword,
  isBoundedLoginName,
  isValidPin,
  loginKey,
  userGroupSchema,
  userInputSchema,
  userPatchSchema,
  type User,
  type VersionedUserGroup,
} from '../domain/identity.ts';
import {
  ALL_ENVIRONMENTS,
  allInScope,
  anyInScope,
  holdsAll,
  inScope,
  type EnvironmentScope,
} from '../domain/environments.ts';
import { ADMINISTRATOR_GROUP, PERMISSION_IDS, STANDARD_GROUPS, type Permission } from '../domain/permissions.ts';
import type { ErasePair, ErasureCounts } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import type {
  IdentityStore,
  IfVersion,
  StoredGroup,
  StoredUser,
  TokenRow,
  UserChange,
} from '../ports/identity-store.ts';
import {
  DEFAULT_THROTTLE,
  accountKey,
  blockOf,
  nextFailure,
  sourceKey,
  type ThrottlePolicy,
} from './login-throttle.ts';
import {
  digestsEqual,
  hashSecret,
  needsRehash,
  randomSecret,
  sha256,
  verifyDummy,
  verifySecret,
  type ScryptParams,
} from './passwords.ts';

/** Who is asking: a logged-in user (session), a machine client (API token). */
export interface Principal {
  readonly kind: 'session' | 'token';
  readonly userId: string;
  readonly loginName: string;
  /** The group's permissions (for a token: those of its scope the owner still holds). */
  readonly permissions: readonly Permission[];
  readonly environments: readonly string[];
  /** Until changed, only a password change (and logout) may be allowed. */
  readonly mustChangePassword: boolean;
  readonly tokenId?: string;
}

/** Who makes a change: a principal, or the system itself (bootstrap, local CLI) with no limits. */
export type Actor = Principal | { readonly kind: 'system'; readonly loginName: string };
export const SYSTEM: Actor = { kind: 'system', loginName: 'system' };

/** The environments an actor acts in: the system acts in all of them. */
export const scopeOf = (actor: Actor): EnvironmentScope =>
  actor.kind === 'system' ? [ALL_ENVIRONMENTS] : actor.environments;

export type AuditAction =
  | 'bootstrap'
  | 'login'
  | 'logout'
  | 'session.expired'
  | 'password.change'
  | 'password.set'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'user.lock'
  | 'user.unlock'
  | 'user.erase'
  | 'user.pin'
  | 'group.create'
  | 'group.update'
  | 'group.delete'
  | 'token.create'
  | 'token.revoke';

export interface AuditEvent {
  readonly action: AuditAction;
  readonly outcome: 'success' | 'failure';
  /** Login name of who acted (for a failed login: the name tried, truncated). */
  readonly actor: string;
  readonly source?: string;
  /** Id of the user, group or token acted on. */
  readonly target?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type LoginResult =
  | {
      readonly ok: true;
      /** The new session id (cookie value); only its hash is stored. */
      readonly session: string;
      /** Send back with every cookie-authenticated change; only its hash is stored. */
      readonly csrfToken: string;
      readonly user: User;
      readonly mustChangePassword: boolean;
    }
  | {
      readonly ok: false;
      /** `invalid`: unknown user or wrong password, indistinguishably. `locked`: an admin must unlock. */
      readonly reason: 'invalid' | 'throttled' | 'locked';
      /** How long until another attempt may succeed (0: now; absent when locked). */
      readonly retryAfterMs?: number;
    };

export type PasswordChangeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'invalid' | 'throttled' | 'locked' | 'policy'; readonly message: string };

/** A token as callers see it: the stored row without its hash. */
export type TokenInfo = Omit<TokenRow, 'tokenHash'>;

export interface AuthServiceDeps {
  readonly store: IdentityStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly onAudit?: (e: AuditEvent) => Promise<void> | void;
  /** Default 15 minutes without a request. */
  readonly idleTimeoutMs?: number;
  /** Default 8 hours after login, however active. */
  readonly absoluteTimeoutMs?: number;
  readonly throttle?: ThrottlePolicy;
  /** Environments of the built-in admin created at first start; default ['*'], all of them. */
  readonly adminEnvironments?: readonly string[];
  /**
   * Erasure of a user's values outside the user record (issue 4, item 10): `pseudonymise` is
   * the installation's pseudonymiser, `erase` the store's AlarmStore.erasePersonalValues.
   */
  readonly personalData?: {
    pseudonymise(value: string): string;
    erase(pairs: readonly ErasePair[], at: number): Promise<ErasureCounts>;
  };
  /** Hash cost; default DEFAULT_SCRYPT. Tests may lower it to 2^14, the least a stored hash may have. */
  readonly scrypt?: ScryptParams;
}

export const can = (p: Principal, permission: Permission): boolean => p.permissions.includes(permission);

const TOKEN_PREFIX = 'tocsin_';
/** Session last-seen and token last-used are written at most this often. */
const TOUCH_EVERY_MS = 60_000;
const MAX_SECRET_TEXT = 100;
const BUILT_IN_ADMIN = 'admin';

const bounded = (s: unknown, max: number): s is string => typeof s === 'string' && s.length <= max;
const publicUser = ({ loginKey: _k, passwordHash: _p, pinHash: _n, ...u }: StoredUser): User => u;
const tokenInfo = ({ tokenHash: _h, ...t }: TokenRow): TokenInfo => t;
const invalid = (message: string, details: ProblemDetail[]) => new TocsinError('validation', message, { details });
/** The 412 of a stale expected version, worded as the configuration API's. */
const stale = (what: string, current: number | undefined) =>
  new TocsinError(
    'precondition-failed',
    `${what} is at version ${current ?? 0}, not the one in If-Match; it was changed meanwhile, read it again`,
  );
const groupOf = ({ createdAt: _c, updatedAt: _u, ...g }: StoredGroup): VersionedUserGroup => g;

function parseOrThrow<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  throw invalid(`invalid ${what}`, zodProblems(r.error.issues));
}

export class AuthService {
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly throttle: ThrottlePolicy;

  constructor(private readonly d: AuthServiceDeps) {
    this.idleMs = d.idleTimeoutMs ?? 15 * 60_000;
    this.absoluteMs = d.absoluteTimeoutMs ?? 8 * 60 * 60_000;
    this.throttle = d.throttle ?? DEFAULT_THROTTLE;
  }

  private now(): number {
    return Math.trunc(this.d.clock.now());
  }

  private async audit(e: AuditEvent): Promise<void> {
    // Not caught: an access log that cannot record must fail the operation's caller loudly.
    await this.d.onAudit?.(e);
  }

  // ── first start ────────────────────────────────────────────────────────────────────────

  /**
   * Creates the standard user groups (when there are none) and the built-in `admin` with
   * password `admin`, which must be changed at first login (when there is no built-in user).
   * Grants the Administrator group every permission this release knows. Idempotent.
   */
  async bootstrap(): Promise<{ groups: string[]; admin: boolean }> {
    const at = this.now();
    const r = await this.d.store.bootstrap({
      groups: STANDARD_GROUPS.map((g) => ({ ...g, permissions: [...g.permissions] })),
      adminGroup: ADMINISTRATOR_GROUP,
      adminPermissions: PERMISSION_IDS,
      admin: {
        id: BUILT_IN_ADMIN,
        loginName: BUILT_IN_ADMIN,
        loginKey: BUILT_IN_ADMIN,
        displayName: 'Administrator',
        phone: null,
        mobile: null,
        email: null,
        language: 'EN',
        startPage: '/',
        userGroup: ADMINISTRATOR_GROUP,
        environments: this.d.adminEnvironments ?? [ALL_ENVIRONMENTS],
        passwordHash: await hashSecret('admin', this.d.scrypt),
        pinHash: null,
        mustChangePassword: true,
        builtIn: true,
      },
      at,
    });
    if (r.admin || r.groups.length > 0)
      await this.audit({ action: 'bootstrap', outcome: 'success', actor: SYSTEM.loginName, details: r });
    return r;
  }

  // ── login and sessions ─────────────────────────────────────────────────────────────────

  /**
   * Checks a login. Unknown user, erased user and wrong password give the same answer after
   * the same work. Refused without checking while the account or source key is blocked.
   * Every failure is audited and counted; success ends the account's failure count and
   * opens a new session (a new id: no fixation).
   */
  async login(loginName: unknown, password: unknown, sourceAddress: string): Promise<LoginResult> {
    const now = this.now();
    const source = String(sourceAddress).slice(0, 100);
    const nameOk = isBoundedLoginName(loginName);
    const key = nameOk ? loginKey(loginName) : undefined;
    const keys = [sourceKey(source), ...(key !== undefined ? [accountKey(key)] : [])];
    const actor = typeof loginName === 'string' ? loginName.slice(0, LOGIN_NAME_MAX) : '';
    const fail = async (result: LoginResult & { ok: false }, reason: string) => {
      await this.audit({ action: 'login', outcome: 'failure', actor, source, details: { reason } });
      return result;
    };

    const block = blockOf(await this.d.store.getThrottle(keys), now);
    if (block) return fail({ ok: false, ...block }, block.reason);

    const pwOk = typeof password === 'string' && boundedLength(password, PASSWORD_MAX) <= PASSWORD_MAX;
    const user = key !== undefined ? await this.d.store.findUserByLoginKey(key) : undefined;
    let valid = false;
    if (pwOk && user && !user.erased) valid = await verifySecret(password, user.passwordHash);
    else if (pwOk) await verifyDummy(password, this.d.scrypt);
    // An over-long password is refused without hashing; its length says nothing about the user.

    if (!valid) {
      let retryAfterMs = 0;
      let lockedNow = false;
      for (const k of keys) {
        const row = await this.d.store.recordFailure(k, (cur) => nextFailure(k, cur, now, this.throttle));
        if (row.blockedUntil !== null) retryAfterMs = Math.max(retryAfterMs, row.blockedUntil - now);
        if (row.locked && k.startsWith('account:')) lockedNow = true;
      }
      if (lockedNow && user && !user.locked && !user.erased) {
        await this.d.store.updateUser(user.id, { locked: true }, now);
        await this.audit({
          action: 'user.lock',
          outcome: 'success',
          actor: SYSTEM.loginName,
          source,
          target: user.id,
          details: { reason: 'too many failed logins' },
        });
      }
      return fail({ ok: false, reason: 'invalid', retryAfterMs }, pwOk ? 'invalid' : 'password too long');
    }
    const u = user!;
    if (u.locked) return fail({ ok: false, reason: 'locked' }, 'locked');

    await this.d.store.clearThrottle(accountKey(u.loginKey));
    if (needsRehash(u.passwordHash, this.d.scrypt))
      await this.d.store.updateUser(u.id, { passwordHash: await hashSecret(password as string, this.d.scrypt) }, now);
    const session = randomSecret(32);
    const csrfToken = randomSecret(32);
    await this.d.store.insertSession({
      idHash: sha256(session),
      userId: u.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.absoluteMs,
      source,
      csrfHash: sha256(csrfToken),
    });
    await this.audit({ action: 'login', outcome: 'success', actor: u.loginName, source, target: u.id });
    return { ok: true, session, csrfToken, user: publicUser(u), mustChangePassword: u.mustChangePassword };
  }

  /** The live session's row, or undefined (an expired one is deleted and audited on the way). */
  private async liveSession(sessionId: unknown) {
    if (!bounded(sessionId, MAX_SECRET_TEXT)) return undefined;
    const row = await this.d.store.getSession(sha256(sessionId));
    if (!row) return undefined;
    const now = this.now();
    const idle = now - row.lastSeenAt >= this.idleMs;
    if (idle || now >= row.expiresAt) {
      if (await this.d.store.deleteSession(row.idHash))
        await this.audit({
          action: 'session.expired',
          outcome: 'success',
          actor: row.userId,
          target: row.userId,
          details: { reason: idle ? 'idle' : 'absolute' },
        });
      return undefined;
    }
    return row;
  }

  /** The user's current rights, or undefined when the user may not act (gone, locked, erased). */
  private async principalOf(userId: string, kind: Principal['kind'], scope?: TokenRow): Promise<Principal | undefined> {
    const user = await this.d.store.getUser(userId);
    if (!user || user.locked || user.erased) return undefined;
    const group = await this.d.store.getGroup(user.userGroup);
    let permissions: readonly Permission[] = group?.permissions ?? [];
    let environments = user.environments;
    if (scope) {
      // A token never holds more than its owner holds now, whatever it was created with.
      permissions = permissions.filter((p) => scope.permissions.includes(p));
      environments = holdsAll(scope.environments)
        ? environments
        : scope.environments.filter((e) => inScope(user.environments, e));
    }
    return {
      kind,
      userId: user.id,
      loginName: user.loginName,
      permissions,
      environments,
      mustChangePassword: user.mustChangePassword,
      ...(scope ? { tokenId: scope.id } : {}),
    };
  }

  /** The principal of a live session (idle and absolute timeouts applied), or undefined. Does not touch. */
  async authenticate(sessionId: unknown): Promise<Principal | undefined> {
    const row = await this.liveSession(sessionId);
    return row && this.principalOf(row.userId, 'session');
  }

  /** Marks a live session as used now (restarts its idle timeout, never its absolute one). False when not live. */
  async touch(sessionId: unknown): Promise<boolean> {
    const row = await this.liveSession(sessionId);
    if (row === undefined) return false;
    // The idle timeout is minutes: refreshing last-seen at most every TOUCH_EVERY_MS is enough.
    const now = this.now();
    return now - row.lastSeenAt < TOUCH_EVERY_MS || this.d.store.touchSession(row.idHash, now);
  }

  /** True when `csrfToken` is the token issued with this live session (constant-time comparison). */
  async verifyCsrf(sessionId: unknown, csrfToken: unknown): Promise<boolean> {
    if (!bounded(csrfToken, MAX_SECRET_TEXT)) return false;
    const row = await this.liveSession(sessionId);
    return row !== undefined && digestsEqual(sha256(csrfToken), row.csrfHash);
  }

  /** Ends a session; audited when there was one. Idempotent. */
  async logout(sessionId: unknown, sourceAddress?: string): Promise<boolean> {
    if (!bounded(sessionId, MAX_SECRET_TEXT)) return false;
    const row = await this.d.store.getSession(sha256(sessionId));
    if (!row || !(await this.d.store.deleteSession(row.idHash))) return false;
    const user = await this.d.store.getUser(row.userId);
    await this.audit({
      action: 'logout',
      outcome: 'success',
      actor: user?.loginName ?? row.userId,
      target: row.userId,
      ...(sourceAddress !== undefined ? { source: sourceAddress.slice(0, 100) } : {}),
    });
    return true;
  }

  /** Deletes sessions past their idle or absolute timeout; returns how many. For a periodic job. */
  async purgeExpiredSessions(): Promise<number> {
    const now = this.now();
    return this.d.store.purgeSessions(now - this.idleMs, now);
  }

  /**
   * The user's own password change: the old password must be right (failures count toward
   * the account's throttle like failed logins), the new one must pass the policy and differ.
   * Ends every other session of the user (`keepSessionId` stays) and clears mustChangePassword.
   */
  async changePassword(
    userId: string,
    oldPassword: unknown,
    newPassword: unknown,
    opts: { readonly keepSessionId?: string; readonly source?: string } = {},
  ): Promise<PasswordChangeResult> {
    const now = this.now();
    const user = await this.d.store.getUser(userId);
    if (!user || user.erased) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    const base = { action: 'password.change' as const, actor: user.loginName, target: user.id };
    const src = opts.source !== undefined ? { source: opts.source.slice(0, 100) } : {};
    const refuse = async (reason: 'invalid' | 'throttled' | 'locked' | 'policy', message: string) => {
      await this.audit({ ...base, ...src, outcome: 'failure', details: { reason } });
      return { ok: false as const, reason, message };
    };
    const key = accountKey(user.loginKey);
    const block = blockOf(await this.d.store.getThrottle([key]), now);
    if (block) return refuse(block.reason, 'too many failed attempts; try again later');
    const oldOk =
      typeof oldPassword === 'string' &&
      boundedLength(oldPassword, PASSWORD_MAX) <= PASSWORD_MAX &&
      (await verifySecret(oldPassword, user.passwordHash));
    if (!oldOk) {
      await this.d.store.recordFailure(key, (cur) => nextFailure(key, cur, now, this.throttle));
      return refuse('invalid', 'the current password is wrong');
    }
    const policy = checkPassword(newPassword, user.loginName);
    if (!policy.ok) return refuse('policy', policy.reason);
    if (newPassword === oldPassword) return refuse('policy', 'the new password must differ from the current one');
    await this.d.store.updateUser(
      user.id,
      { passwordHash: await hashSecret(newPassword as string, this.d.scrypt), mustChangePassword: false },
      now,
    );
    const keep = opts.keepSessionId !== undefined ? sha256(opts.keepSessionId) : undefined;
    const ended = await this.d.store.deleteSessionsOfUser(user.id, keep);
    await this.audit({ ...base, ...src, outcome: 'success', details: { endedSessions: ended } });
    return { ok: true };
  }

  // ── API tokens ─────────────────────────────────────────────────────────────────────────

  /**
   * Creates an API token for `creator` (a session principal that has changed its password),
   * scoped to `permissions` ⊆ the creator's and `environments` ⊆ the creator's. Returns the
   * secret once; only its hash is stored. Throws validation for a scope wider than the creator's.
   */
  async createToken(
    creator: Principal,
    input: { name: unknown; permissions: unknown; environments: unknown; expiresAt?: number | null },
  ): Promise<{ token: string; info: TokenInfo }> {
    const now = this.now();
    if (creator.kind !== 'session' || creator.mustChangePassword)
      throw new TocsinError('conflict', 'API tokens are created from a logged-in session with a changed password');
    const name = parseOrThrow(userGroupSchema.shape.name, input.name, 'token name');
    const permissions = parseOrThrow(userGroupSchema.shape.permissions, input.permissions, 'token permissions');
    const environments = parseOrThrow(userInputSchema.shape.environments, input.environments, 'token environments');
    const problems: ProblemDetail[] = [
      ...permissions
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => !creator.permissions.includes(p))
        .map(({ i }) => ({ pointer: `/permissions/${i}`, reason: 'a permission you do not hold' })),
      ...environments
        .map((e, i) => ({ e, i }))
        .filter(({ e }) => !inScope(creator.environments, e))
        .map(({ i }) => ({ pointer: `/environments/${i}`, reason: 'an environment you do not hold' })),
    ];
    if (permissions.length === 0) problems.push({ pointer: '/permissions', reason: 'at least one permission' });
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && !(Number.isSafeInteger(expiresAt) && expiresAt > now))
      problems.push({ pointer: '/expiresAt', reason: 'must be a time in the future' });
    if (problems.length > 0) throw invalid('the token scope exceeds yours or is invalid', problems);
    const token = TOKEN_PREFIX + randomSecret(32);
    const row: TokenRow = {
      id: randomUUID(),
      tokenHash: sha256(token),
      name,
      ownerId: creator.userId,
      permissions,
      environments,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.d.store.insertToken(row);
    await this.audit({
      action: 'token.create',
      outcome: 'success',
      actor: creator.loginName,
      target: row.id,
      details: { name, permissions, environments },
    });
    return { token, info: tokenInfo(row) };
  }

  /**
   * A token issued by the system itself for `ownerId` (the local CLI: whoever can run it can
   * read the database anyway). The owner's rights still cap it at every use, and a token of an
   * owner who must change the password is refused until they have.
   */
  async issueToken(
    ownerId: string,
    input: { name: unknown; permissions: unknown; environments: unknown; expiresAt?: number | null },
  ): Promise<{ token: string; info: TokenInfo }> {
    const owner = await this.d.store.getUser(ownerId);
    if (!owner) throw new TocsinError('not-found', `user '${ownerId}' does not exist`);
    const group = await this.d.store.getGroup(owner.userGroup);
    return this.createToken(
      {
        kind: 'session',
        userId: owner.id,
        loginName: owner.loginName,
        permissions: group?.permissions ?? [],
        environments: owner.environments,
        mustChangePassword: false,
      },
      input,
    );
  }

  /** The principal of a live API token (not revoked, not expired, owner able to act), or undefined. */
  async verifyToken(token: unknown): Promise<Principal | undefined> {
    if (!bounded(token, MAX_SECRET_TEXT) || !token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.d.store.findTokenByHash(sha256(token));
    const now = this.now();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && now >= row.expiresAt)) return undefined;
    const p = await this.principalOf(row.ownerId, 'token', row);
    if (!p || p.mustChangePassword) return undefined;
    // Last use to the minute is enough, and saves a write on nearly every request.
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) await this.d.store.touchToken(row.id, now);
    return p;
  }

  /** Revokes a token for good. False when unknown or already revoked. */
  async revokeToken(actor: Actor, tokenId: string): Promise<boolean> {
    const ok = await this.d.store.revokeToken(tokenId, this.now());
    if (ok) await this.audit({ action: 'token.revoke', outcome: 'success', actor: actor.loginName, target: tokenId });
    return ok;
  }

  /** Tokens (without secrets) of `ownerId`, or all. */
  async listTokens(ownerId?: string): Promise<TokenInfo[]> {
    return (await this.d.store.listTokens(ownerId)).map(tokenInfo);
  }

  async getToken(tokenId: string): Promise<TokenInfo | undefined> {
    const t = await this.d.store.getToken(tokenId);
    return t && tokenInfo(t);
  }

  // ── users ──────────────────────────────────────────────────────────────────────────────

  /** Throws validation when `actor` would grant a group or environments beyond its own. */
  private async checkGrant(actor: Actor, groupId: string | undefined, environments: readonly string[] | undefined) {
    if (actor.kind === 'system') return;
    const problems: ProblemDetail[] = [];
    if (groupId !== undefined) {
      const group = await this.d.store.getGroup(groupId);
      if (!group) problems.push({ pointer: '/userGroup', reason: `user group '${groupId}' does not exist` });
      else if (group.permissions.some((p) => !actor.permissions.includes(p)))
        problems.push({ pointer: '/userGroup', reason: 'the group holds permissions you do not hold' });
    }
    for (const [i, e] of (environments ?? []).entries())
      if (!inScope(actor.environments, e))
        problems.push({ pointer: `/environments/${i}`, reason: 'an environment you do not hold' });
    if (problems.length > 0) throw invalid('you cannot grant more than you hold', problems);
  }

  /**
   * Whether a notification recipient may be notified: a device or contact address, or a name
   * that is no Tocsin login (a handset user), may; a Tocsin user may when their user group
   * holds "Receive Notifications" and they were not erased.
   */
  async mayReceiveNotifications(recipient: string): Promise<boolean> {
    if (recipient.includes(':')) return true;
    const user = await this.d.store.findUserByLoginKey(loginKey(recipient));
    if (!user) return true;
    if (user.erased) return false;
    const group = await this.d.store.getGroup(user.userGroup);
    return group?.permissions.includes('receive-notifications') ?? false;
  }

  /** The users `actor` may see: those sharing at least one environment with it. */
  async listUsers(actor: Actor = SYSTEM): Promise<User[]> {
    const scope = scopeOf(actor);
    return (await this.d.store.listUsers()).filter((u) => anyInScope(scope, u.environments)).map(publicUser);
  }

  /** A user `actor` may see; not-found for one outside its environments (the id is not confirmed). */
  async getUser(id: string, actor: Actor = SYSTEM): Promise<User> {
    const u = await this.d.store.getUser(id);
    if (!u || !anyInScope(scopeOf(actor), u.environments))
      throw new TocsinError('not-found', `user '${id}' does not exist`);
    return publicUser(u);
  }

  /**
   * A user `actor` may change: visible, and in none of environments `actor` does not hold (an
   * admin of A cannot lock out, rename or erase the admin of A and B). Throws not-found or forbidden.
   */
  async getWritableUser(id: string, actor: Actor): Promise<User> {
    const u = await this.getUser(id, actor);
    if (!allInScope(scopeOf(actor), u.environments))
      throw new TocsinError('forbidden', 'this user also belongs to environments you do not hold');
    return u;
  }

  /**
   * Creates a user from `input` (userInputSchema) with `password` (the policy applies) and
   * an optional PIN. Throws validation (every problem) or conflict (login name taken in any case).
   */
  async createUser(
    actor: Actor,
    input: unknown,
    password: unknown,
    opts: { readonly pin?: unknown; readonly mustChangePassword?: boolean } = {},
  ): Promise<User> {
    const u = parseOrThrow(userInputSchema, input, 'user');
    const policy = checkPassword(password, u.loginName);
    if (!policy.ok) throw invalid(policy.reason, [{ pointer: '/password', reason: policy.reason }]);
    if (opts.pin !== undefined && !isValidPin(opts.pin))
      throw invalid('invalid PIN', [{ pointer: '/pin', reason: 'a PIN is 4–8 digits' }]);
    await this.checkGrant(actor, u.userGroup, u.environments);
    const now = this.now();
    const id = randomUUID();
    const key = loginKey(u.loginName);
    const result = await this.d.store.insertUser(
      {
        id,
        loginName: u.loginName,
        loginKey: key,
        displayName: u.displayName,
        phone: u.phone ?? null,
        mobile: u.mobile ?? null,
        email: u.email ?? null,
        language: u.language,
        startPage: u.startPage,
        userGroup: u.userGroup,
        environments: u.environments,
        passwordHash: await hashSecret(password as string, this.d.scrypt),
        pinHash: opts.pin !== undefined ? await hashSecret(opts.pin as string, this.d.scrypt) : null,
        mustChangePassword: opts.mustChangePassword ?? true,
        builtIn: false,
      },
      now,
    );
    await this.throwWrite(result, id, u.loginName, u.userGroup);
    // A name attackers tried before it existed starts with a clean slate.
    await this.d.store.clearThrottle(accountKey(key));
    const user = await this.getUser(id);
    await this.audit({
      action: 'user.create',
      outcome: 'success',
      actor: actor.loginName,
      target: id,
      details: { loginName: user.loginName, userGroup: user.userGroup, environments: user.environments },
    });
    return user;
  }

  /** Throws the error of a refused user write; `version-mismatch` reads the current version for its message. */
  private async throwWrite(result: string, userId: string, loginName?: string, group?: string): Promise<void> {
    if (result === 'version-mismatch') throw stale(`user '${userId}'`, (await this.d.store.getUser(userId))?.version);
    if (result === 'duplicate-login') throw new TocsinError('conflict', `login name '${loginName}' is taken`);
    if (result === 'unknown-group')
      throw invalid('unknown user group', [{ pointer: '/userGroup', reason: `user group '${group}' does not exist` }]);
    if (result === 'not-found') throw new TocsinError('not-found', 'the user does not exist');
  }

  /**
   * Changes a user's fields (userPatchSchema; null clears phone, mobile or e-mail). The
   * built-in admin keeps its login name and the Administrator group; an erased user is not
   * changed. With `ifVersion`, only a user still at that version. Throws validation, conflict,
   * not-found or precondition-failed.
   */
  async updateUser(
    actor: Actor,
    id: string,
    patch: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<User> {
    const p = parseOrThrow(userPatchSchema, patch, 'user change');
    const before = await this.d.store.getUser(id);
    if (!before) throw new TocsinError('not-found', `user '${id}' does not exist`);
    if (before.erased) throw new TocsinError('conflict', 'an erased user cannot be changed');
    if (before.builtIn && p.loginName !== undefined && loginKey(p.loginName) !== before.loginKey)
      throw new TocsinError('conflict', 'the built-in admin keeps its login name');
    if (before.builtIn && p.userGroup !== undefined && p.userGroup !== ADMINISTRATOR_GROUP)
      throw new TocsinError('conflict', 'the built-in admin stays in the Administrator group');
    await this.checkGrant(actor, p.userGroup, p.environments);
    const change: UserChange = {
      ...p,
      ...(p.loginName !== undefined ? { loginKey: loginKey(p.loginName) } : {}),
    };
    await this.throwWrite(
      await this.d.store.updateUser(id, change, this.now(), opts.ifVersion),
      id,
      p.loginName,
      p.userGroup,
    );
    if (change.loginKey !== undefined && change.loginKey !== before.loginKey)
      await this.d.store.clearThrottle(accountKey(change.loginKey));
    await this.audit({
      action: 'user.update',
      outcome: 'success',
      actor: actor.loginName,
      target: id,
      details: { fields: Object.keys(p).sort() },
    });
    return this.getUser(id);
  }

  /**
   * Deletes a user with their sessions and tokens; with `ifVersion`, only a user still at that
   * version (else precondition-failed). The built-in admin cannot be deleted (conflict).
   */
  async deleteUser(actor: Actor, id: string, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    const user = await this.d.store.getUser(id);
    if (!user) throw new TocsinError('not-found', `user '${id}' does not exist`);
    if (user.builtIn) {
      await this.audit({ action: 'user.delete', outcome: 'failure', actor: actor.loginName, target: id });
      throw new TocsinError('conflict', 'the built-in admin cannot be deleted');
    }
    if (!(await this.d.store.deleteUser(id, opts.ifVersion))) {
      const now = await this.d.store.getUser(id);
      if (now && opts.ifVersion !== undefined) throw stale(`user '${id}'`, now.version);
      throw new TocsinError('not-found', `user '${id}' does not exist`);
    }
    await this.audit({
      action: 'user.delete',
      outcome: 'success',
      actor: actor.loginName,
      target: id,
      details: { loginName: user.loginName },
    });
  }

  /** An admin sets a user's password (policy applies), by default to be changed at next login; ends all their sessions. */
  async setPassword(
    actor: Actor,
    userId: string,
    password: unknown,
    opts: { readonly mustChangePassword?: boolean } = {},
  ): Promise<void> {
    const user = await this.d.store.getUser(userId);
    if (!user || user.erased) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    const policy = checkPassword(password, user.loginName);
    if (!policy.ok) throw invalid(policy.reason, [{ pointer: '/password', reason: policy.reason }]);
    const passwordHash = await hashSecret(password as string, this.d.scrypt);
    const mustChangePassword = opts.mustChangePassword ?? true;
    await this.d.store.updateUser(userId, { passwordHash, mustChangePassword }, this.now());
    await this.d.store.deleteSessionsOfUser(userId);
    await this.audit({ action: 'password.set', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /** Sets (4–8 digits) or removes (null) a user's phone-menu PIN; with `ifVersion`, only for a user at that version. */
  async setPin(
    actor: Actor,
    userId: string,
    pin: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<void> {
    if (pin !== null && !isValidPin(pin)) throw invalid('invalid PIN', [{ pointer: '/pin', reason: '4–8 digits' }]);
    const pinHash = pin === null ? null : await hashSecret(pin, this.d.scrypt);
    await this.throwWrite(await this.d.store.updateUser(userId, { pinHash }, this.now(), opts.ifVersion), userId);
    await this.audit({ action: 'user.pin', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /** True when `pin` is the user's PIN (false for no PIN, unknown, locked or erased users; same work either way). */
  async verifyPin(userId: string, pin: unknown): Promise<boolean> {
    if (!isValidPin(pin)) return false;
    const user = await this.d.store.getUser(userId);
    if (!user?.pinHash || user.locked || user.erased) return verifyDummy(pin, this.d.scrypt);
    return verifySecret(pin, user.pinHash);
  }

  /** Locks an account (no login, no token use) until unlocked. */
  async lockUser(actor: Actor, userId: string): Promise<void> {
    await this.throwWrite(await this.d.store.updateUser(userId, { locked: true }, this.now()), userId);
    await this.d.store.deleteSessionsOfUser(userId);
    await this.audit({ action: 'user.lock', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /** Unlocks an account and clears its failed-login count (the only way out of a lockout). */
  async unlockUser(actor: Actor, userId: string): Promise<void> {
    const user = await this.d.store.getUser(userId);
    if (!user) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    await this.d.store.updateUser(userId, { locked: false }, this.now());
    await this.d.store.clearThrottle(accountKey(user.loginKey));
    await this.audit({ action: 'user.unlock', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /**
   * Replaces a user's personal data (login name, display name, phone, mobile, e-mail, PIN) by
   * a pseudonym, locks the account, ends its sessions and revokes its tokens. The record stays
   * so protocol entries keep resolving. The built-in admin is not a person (conflict).
   * With `personalData` (issue 4, item 10), first forgets the same values outside the user
   * record: the protocol's pseudonym mapping and the alarm tables (AlarmStore
   * erasePersonalValues); done first, so a failure leaves the user as it was and a retry
   * finds the values again. The access log records the pseudonyms and row counts, never the
   * values. Returns the user record's pseudonym.
   */
  async erasePersonalData(actor: Actor, userId: string): Promise<{ pseudonym: string }> {
    const user = await this.d.store.getUser(userId);
    if (!user) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    if (user.builtIn) throw new TocsinError('conflict', 'the built-in admin has no personal data to erase');
    const pseudonym = `erased-${sha256(`tocsin-user:${userId}`).slice(0, 12)}`;
    const now = this.now();
    // The same values outside the user record: the protocol's pseudonym mapping, the alarm tables.
    let protocol: { pseudonym: string; rows: ErasureCounts } | undefined;
    const pd = this.d.personalData;
    if (pd && !user.erased) {
      const values = [
        ...new Set(
          [user.loginName, user.loginKey, user.displayName, user.phone, user.mobile, user.email].filter(
            (v): v is string => typeof v === 'string' && v !== '',
          ),
        ),
      ];
      const rows = await pd.erase(
        values.map((value) => ({ value, pseudonym: pd.pseudonymise(value) })),
        now,
      );
      protocol = { pseudonym: pd.pseudonymise(user.loginName), rows };
    }
    await this.throwWrite(
      await this.d.store.updateUser(
        userId,
        {
          loginName: pseudonym,
          loginKey: pseudonym,
          displayName: pseudonym,
          phone: null,
          mobile: null,
          email: null,
          pinHash: null,
          locked: true,
          erased: true,
        },
        now,
      ),
      userId,
    );
    await this.d.store.deleteSessionsOfUser(userId);
    await this.d.store.revokeTokensOf(userId, now);
    await this.d.store.clearThrottle(accountKey(user.loginKey));
    await this.audit({
      action: 'user.erase',
      outcome: 'success',
      actor: actor.loginName,
      target: userId,
      details: { pseudonym, ...(protocol ? { protocol } : {}) },
    });
    return { pseudonym };
  }

  // ── user groups ────────────────────────────────────────────────────────────────────────

  async listGroups(): Promise<VersionedUserGroup[]> {
    return (await this.d.store.listGroups()).map(groupOf);
  }

  async getGroup(id: string): Promise<VersionedUserGroup> {
    const g = await this.d.store.getGroup(id);
    if (!g) throw new TocsinError('not-found', `user group '${id}' does not exist`);
    return groupOf(g);
  }

  /**
   * Creates or replaces a user group (userGroupSchema). The Administrator group keeps every
   * permission; nobody grants a permission they do not hold. With `ifVersion`, only a group
   * still at that version (0: only a new group). Throws validation, conflict or
   * precondition-failed; a refused change writes nothing.
   */
  async putGroup(
    actor: Actor,
    input: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<{ group: VersionedUserGroup; created: boolean }> {
    const group = parseOrThrow(userGroupSchema, input, 'user group');
    if (group.id === ADMINISTRATOR_GROUP && PERMISSION_IDS.some((p) => !group.permissions.includes(p)))
      throw new TocsinError('conflict', 'the Administrator group keeps every permission');
    if (actor.kind !== 'system') {
      const problems = group.permissions
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => !actor.permissions.includes(p))
        .map(({ i }) => ({ pointer: `/permissions/${i}`, reason: 'a permission you do not hold' }));
      if (problems.length > 0) throw invalid('you cannot grant more than you hold', problems);
    }
    const r = await this.d.store.putGroup(group, this.now(), opts.ifVersion);
    if (r.outcome === 'version-mismatch') throw stale(`user group '${group.id}'`, r.current);
    const created = r.outcome === 'created';
    await this.audit({
      action: created ? 'group.create' : 'group.update',
      outcome: 'success',
      actor: actor.loginName,
      target: group.id,
      details: { name: group.name, permissions: group.permissions, version: r.version },
    });
    return { group: { ...group, version: r.version }, created };
  }

  /**
   * Deletes a user group no user belongs to; with `ifVersion`, only a group still at that
   * version. The Administrator group stays. Throws conflict, not-found or precondition-failed.
   */
  async deleteGroup(actor: Actor, id: string, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    if (id === ADMINISTRATOR_GROUP) throw new TocsinError('conflict', 'the Administrator group cannot be deleted');
    const r = await this.d.store.deleteGroup(id, opts.ifVersion);
    if (r === 'version-mismatch') throw stale(`user group '${id}'`, (await this.d.store.getGroup(id))?.version);
    if (r === 'not-found') throw new TocsinError('not-found', `user group '${id}' does not exist`);
    if (r === 'in-use') throw new TocsinError('conflict', `user group '${id}' still has members`);
    await this.audit({ action: 'group.delete', outcome: 'success', actor: actor.loginName, target: id });
  }
}
