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
 *
 * AuthService is the facade the rest of the code uses; the logic lives in the auth-*.ts
 * modules beside it (sessions, credentials, tokens, users, erasure, groups, bootstrap), which
 * share one narrow AuthContext (auth-context.ts) built here from the deps.
 */
import type { User, VersionedUserGroup } from '../domain/identity.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdentityStore, IfVersion } from '../ports/identity-store.ts';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from './login-throttle.ts';
import type { ScryptParams } from './passwords.ts';
import type { AuditEvent, AuthContext } from './auth-context.ts';
import type { Actor, Principal } from './auth-principal.ts';
import type { LoginResult } from './auth-sessions.ts';
import type { PasswordChangeResult } from './auth-credentials.ts';
import type { TokenInfo, TokenInput } from './auth-tokens.ts';
import type { PersonalData } from './auth-erasure.ts';
import { bootstrap } from './auth-bootstrap.ts';
import { Sessions } from './auth-sessions.ts';
import { Credentials } from './auth-credentials.ts';
import { ApiTokens } from './auth-tokens.ts';
import { UserAccounts } from './auth-users.ts';
import { erasePersonalData } from './auth-erasure.ts';
import { UserGroups } from './auth-groups.ts';

// Imported from here by many callers; defined where they belong.
export { SYSTEM, can, scopeOf, type Actor, type Principal } from './auth-principal.ts';
export type { AuditAction, AuditEvent } from './auth-context.ts';
export type { LoginResult } from './auth-sessions.ts';
export type { PasswordChangeResult } from './auth-credentials.ts';
export type { TokenInfo } from './auth-tokens.ts';

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
  readonly personalData?: PersonalData;
  /** Hash cost; default DEFAULT_SCRYPT. Tests may lower it to 2^14, the least a stored hash may have. */
  readonly scrypt?: ScryptParams;
}

export class AuthService {
  private readonly c: AuthContext;
  private readonly sessions: Sessions;
  private readonly credentials: Credentials;
  private readonly tokens: ApiTokens;
  private readonly users: UserAccounts;
  private readonly groups: UserGroups;

  constructor(private readonly d: AuthServiceDeps) {
    this.c = {
      store: d.store,
      scrypt: d.scrypt,
      throttle: d.throttle ?? DEFAULT_THROTTLE,
      idleMs: d.idleTimeoutMs ?? 15 * 60_000,
      absoluteMs: d.absoluteTimeoutMs ?? 8 * 60 * 60_000,
      now: () => Math.trunc(d.clock.now()),
      // Not caught: an access log that cannot record must fail the operation's caller loudly.
      audit: async (e) => {
        await d.onAudit?.(e);
      },
    };
    this.sessions = new Sessions(this.c);
    this.credentials = new Credentials(this.c);
    this.tokens = new ApiTokens(this.c);
    this.users = new UserAccounts(this.c);
    this.groups = new UserGroups(this.c);
  }

  // ── first start ────────────────────────────────────────────────────────────────────────

  /**
   * Creates the standard user groups (when there are none) and the built-in `admin` with
   * password `admin`, which must be changed at first login (when there is no built-in user).
   * Grants the Administrator group every permission this release knows. Idempotent.
   */
  bootstrap(): Promise<{ groups: string[]; admin: boolean }> {
    return bootstrap(this.c, this.d.adminEnvironments);
  }

  // ── login and sessions ─────────────────────────────────────────────────────────────────

  /**
   * Checks a login. Unknown user, erased user and wrong password give the same answer after
   * the same work. Refused without checking while the account or source key is blocked.
   * Every failure is audited and counted; success ends the account's failure count and
   * opens a new session (a new id: no fixation).
   */
  login(loginName: unknown, password: unknown, sourceAddress: string): Promise<LoginResult> {
    return this.sessions.login(loginName, password, sourceAddress);
  }

  /** The principal of a live session (idle and absolute timeouts applied), or undefined. Does not touch. */
  authenticate(sessionId: unknown): Promise<Principal | undefined> {
    return this.sessions.authenticate(sessionId);
  }

  /** Marks a live session as used now (restarts its idle timeout, never its absolute one). False when not live. */
  touch(sessionId: unknown): Promise<boolean> {
    return this.sessions.touch(sessionId);
  }

  /** True when `csrfToken` is the token issued with this live session (constant-time comparison). */
  verifyCsrf(sessionId: unknown, csrfToken: unknown): Promise<boolean> {
    return this.sessions.verifyCsrf(sessionId, csrfToken);
  }

  /** Ends a session; audited when there was one. Idempotent. */
  logout(sessionId: unknown, sourceAddress?: string): Promise<boolean> {
    return this.sessions.logout(sessionId, sourceAddress);
  }

  /** Deletes sessions past their idle or absolute timeout; returns how many. For a periodic job. */
  purgeExpiredSessions(): Promise<number> {
    return this.sessions.purgeExpiredSessions();
  }

  /**
   * The user's own password change: the old password must be right (failures count toward
   * the account's throttle like failed logins), the new one must pass the policy and differ.
   * Ends every other session of the user (`keepSessionId` stays) and clears mustChangePassword.
   */
  changePassword(
    userId: string,
    oldPassword: unknown,
    newPassword: unknown,
    opts: { readonly keepSessionId?: string; readonly source?: string } = {},
  ): Promise<PasswordChangeResult> {
    return this.credentials.changePassword(userId, oldPassword, newPassword, opts);
  }

  // ── API tokens ─────────────────────────────────────────────────────────────────────────

  /**
   * Creates an API token for `creator` (a session principal that has changed its password),
   * scoped to `permissions` ⊆ the creator's and `environments` ⊆ the creator's. Returns the
   * secret once; only its hash is stored. Throws validation for a scope wider than the creator's.
   */
  createToken(creator: Principal, input: TokenInput): Promise<{ token: string; info: TokenInfo }> {
    return this.tokens.createToken(creator, input);
  }

  /**
   * A token issued by the system itself for `ownerId` (the local CLI: whoever can run it can
   * read the database anyway). The owner's rights still cap it at every use, and a token of an
   * owner who must change the password is refused until they have.
   */
  issueToken(ownerId: string, input: TokenInput): Promise<{ token: string; info: TokenInfo }> {
    return this.tokens.issueToken(ownerId, input);
  }

  /** The principal of a live API token (not revoked, not expired, owner able to act), or undefined. */
  verifyToken(token: unknown): Promise<Principal | undefined> {
    return this.tokens.verifyToken(token);
  }

  /** Revokes a token for good. False when unknown or already revoked. */
  revokeToken(actor: Actor, tokenId: string): Promise<boolean> {
    return this.tokens.revokeToken(actor, tokenId);
  }

  /** Tokens (without secrets) of `ownerId`, or all. */
  listTokens(ownerId?: string): Promise<TokenInfo[]> {
    return this.tokens.listTokens(ownerId);
  }

  getToken(tokenId: string): Promise<TokenInfo | undefined> {
    return this.tokens.getToken(tokenId);
  }

  // ── users ──────────────────────────────────────────────────────────────────────────────

  /**
   * Whether a notification recipient may be notified: a device or contact address, or a name
   * that is no Tocsin login (a handset user), may; a Tocsin user may when their user group
   * holds "Receive Notifications" and they were not erased.
   */
  mayReceiveNotifications(recipient: string): Promise<boolean> {
    return this.users.mayReceiveNotifications(recipient);
  }

  /** The users `actor` may see: those sharing at least one environment with it. */
  listUsers(actor?: Actor): Promise<User[]> {
    return this.users.listUsers(actor);
  }

  /** A user `actor` may see; not-found for one outside its environments (the id is not confirmed). */
  getUser(id: string, actor?: Actor): Promise<User> {
    return this.users.getUser(id, actor);
  }

  /**
   * A user `actor` may change: visible, and in none of environments `actor` does not hold (an
   * admin of A cannot lock out, rename or erase the admin of A and B). Throws not-found or forbidden.
   */
  getWritableUser(id: string, actor: Actor): Promise<User> {
    return this.users.getWritableUser(id, actor);
  }

  /**
   * Creates a user from `input` (userInputSchema) with `password` (the policy applies) and
   * an optional PIN. Throws validation (every problem) or conflict (login name taken in any case).
   */
  createUser(
    actor: Actor,
    input: unknown,
    password: unknown,
    opts: { readonly pin?: unknown; readonly mustChangePassword?: boolean } = {},
  ): Promise<User> {
    return this.users.createUser(actor, input, password, opts);
  }

  /**
   * Changes a user's fields (userPatchSchema; null clears phone, mobile or e-mail). The
   * built-in admin keeps its login name and the Administrator group; an erased user is not
   * changed. With `ifVersion`, only a user still at that version. Throws validation, conflict,
   * not-found or precondition-failed.
   */
  updateUser(actor: Actor, id: string, patch: unknown, opts: { readonly ifVersion?: IfVersion } = {}): Promise<User> {
    return this.users.updateUser(actor, id, patch, opts);
  }

  /**
   * Deletes a user with their sessions and tokens; with `ifVersion`, only a user still at that
   * version (else precondition-failed). The built-in admin cannot be deleted (conflict).
   */
  deleteUser(actor: Actor, id: string, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    return this.users.deleteUser(actor, id, opts);
  }

  /** An admin sets a user's password (policy applies), by default to be changed at next login; ends all their sessions. */
  setPassword(
    actor: Actor,
    userId: string,
    password: unknown,
    opts: { readonly mustChangePassword?: boolean } = {},
  ): Promise<void> {
    return this.credentials.setPassword(actor, userId, password, opts);
  }

  /** Sets (4–8 digits) or removes (null) a user's phone-menu PIN; with `ifVersion`, only for a user at that version. */
  setPin(actor: Actor, userId: string, pin: unknown, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    return this.credentials.setPin(actor, userId, pin, opts);
  }

  /** True when `pin` is the user's PIN (false for no PIN, unknown, locked or erased users; same work either way). */
  verifyPin(userId: string, pin: unknown): Promise<boolean> {
    return this.credentials.verifyPin(userId, pin);
  }

  /** Locks an account (no login, no token use) until unlocked. */
  lockUser(actor: Actor, userId: string): Promise<void> {
    return this.users.lockUser(actor, userId);
  }

  /** Unlocks an account and clears its failed-login count (the only way out of a lockout). */
  unlockUser(actor: Actor, userId: string): Promise<void> {
    return this.users.unlockUser(actor, userId);
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
  erasePersonalData(actor: Actor, userId: string): Promise<{ pseudonym: string }> {
    return erasePersonalData(this.c, this.d.personalData, actor, userId);
  }

  // ── user groups ────────────────────────────────────────────────────────────────────────

  listGroups(): Promise<VersionedUserGroup[]> {
    return this.groups.listGroups();
  }

  getGroup(id: string): Promise<VersionedUserGroup> {
    return this.groups.getGroup(id);
  }

  /**
   * Creates or replaces a user group (userGroupSchema). The Administrator group keeps every
   * permission; nobody grants a permission they do not hold. With `ifVersion`, only a group
   * still at that version (0: only a new group). Throws validation, conflict or
   * precondition-failed; a refused change writes nothing.
   */
  putGroup(
    actor: Actor,
    input: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<{ group: VersionedUserGroup; created: boolean }> {
    return this.groups.putGroup(actor, input, opts);
  }

  /**
   * Deletes a user group no user belongs to; with `ifVersion`, only a group still at that
   * version. The Administrator group stays. Throws conflict, not-found or precondition-failed.
   */
  deleteGroup(actor: Actor, id: string, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    return this.groups.deleteGroup(actor, id, opts);
  }
}
