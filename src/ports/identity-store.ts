/**
 * The IdentityStore port: user groups, users, server-side sessions, API tokens and the login
 * throttle. It stores and enforces what the database can (unique login keys, a group in use
 * cannot be deleted, sessions and tokens go with their user); the rules (policy, permissions,
 * timeouts, back-off) live in src/runtime/auth-service.ts. Secrets arrive hashed.
 * Times are epoch milliseconds; stores keep whole milliseconds.
 */
import type { Language, User, UserGroup, VersionedUserGroup } from '../domain/identity.ts';

/** A user row as stored: the public record plus its secrets' hashes. */
export interface StoredUser extends User {
  readonly loginKey: string;
  readonly passwordHash: string;
  readonly pinHash: string | null;
}

export interface NewUser {
  readonly id: string;
  readonly loginName: string;
  readonly loginKey: string;
  readonly displayName: string;
  readonly phone: string | null;
  readonly mobile: string | null;
  readonly email: string | null;
  readonly language: Language;
  readonly startPage: string;
  readonly userGroup: string;
  readonly environments: readonly string[];
  readonly passwordHash: string;
  readonly pinHash: string | null;
  readonly mustChangePassword: boolean;
  readonly builtIn: boolean;
}

/** Fields an update may set; absent = unchanged. */
export interface UserChange {
  readonly loginName?: string;
  readonly loginKey?: string;
  readonly displayName?: string;
  readonly phone?: string | null;
  readonly mobile?: string | null;
  readonly email?: string | null;
  readonly language?: Language;
  readonly startPage?: string;
  readonly userGroup?: string;
  readonly environments?: readonly string[];
  readonly passwordHash?: string;
  readonly pinHash?: string | null;
  readonly mustChangePassword?: boolean;
  readonly locked?: boolean;
  readonly erased?: boolean;
}

export interface StoredGroup extends VersionedUserGroup {
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SessionRow {
  readonly idHash: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** The absolute expiry: no touch extends a session past it. */
  readonly expiresAt: number;
  readonly source: string | null;
  readonly csrfHash: string;
}

export interface TokenRow {
  readonly id: string;
  readonly tokenHash: string;
  readonly name: string;
  readonly ownerId: string;
  readonly permissions: readonly string[];
  readonly environments: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface ThrottleRow {
  /** `account:<login key>` or `source:<address>`. */
  readonly key: string;
  readonly failures: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly blockedUntil: number | null;
  /** Locked until an admin unlocks. */
  readonly locked: boolean;
}

/** `version-mismatch`: the row is not at the expected version; nothing was written. */
export type UserWriteResult = 'ok' | 'not-found' | 'duplicate-login' | 'unknown-group' | 'version-mismatch';

/**
 * An expected version: the write happens only when the row is at it (checked in the same
 * statement); 0 means "must not exist yet". Undefined: no check.
 */
export type IfVersion = number | undefined;

export type GroupWriteResult =
  | { readonly outcome: 'created' | 'updated'; readonly version: number }
  /** The group is at `current` (0: it does not exist), not at the expected version; nothing was written. */
  | { readonly outcome: 'version-mismatch'; readonly current: number };

export interface IdentityStore {
  /**
   * First start, idempotent and safe when several processes start at once: inserts `groups`
   * when there are no user groups at all, always sets `adminGroup`'s permissions to
   * `adminPermissions` (when it exists), and inserts `admin` when there is no built-in user.
   * Returns the ids of the groups and whether the admin it inserted.
   */
  bootstrap(input: {
    readonly groups: readonly UserGroup[];
    readonly adminGroup: string;
    readonly adminPermissions: readonly string[];
    readonly admin: NewUser;
    readonly at: number;
  }): Promise<{ groups: string[]; admin: boolean }>;

  listGroups(): Promise<StoredGroup[]>;
  getGroup(id: string): Promise<StoredGroup | undefined>;
  /**
   * Creates (version 1) or replaces (version + 1) a group; says which, with the new version.
   * With `ifVersion`, only when the group is at that version (0: only when it does not exist).
   */
  putGroup(group: UserGroup, at: number, ifVersion?: IfVersion): Promise<GroupWriteResult>;
  /**
   * Deletes a group no user belongs to (the check and the delete are one statement); with
   * `ifVersion`, only when the group is at that version.
   */
  deleteGroup(id: string, ifVersion?: IfVersion): Promise<'ok' | 'not-found' | 'in-use' | 'version-mismatch'>;

  listUsers(): Promise<StoredUser[]>;
  getUser(id: string): Promise<StoredUser | undefined>;
  findUserByLoginKey(loginKey: string): Promise<StoredUser | undefined>;
  insertUser(user: NewUser, at: number): Promise<UserWriteResult>;
  /**
   * Applies `change` and adds one to the version; a new loginKey must be free, a new group must
   * exist. With `ifVersion`, only when the user is at that version (else `version-mismatch`).
   */
  updateUser(id: string, change: UserChange, at: number, ifVersion?: IfVersion): Promise<UserWriteResult>;
  /**
   * Deletes the user with their sessions and tokens; with `ifVersion`, only when the user is
   * at that version. False when nothing was deleted (no such user, or not at `ifVersion`).
   */
  deleteUser(id: string, ifVersion?: IfVersion): Promise<boolean>;

  insertSession(s: SessionRow): Promise<void>;
  getSession(idHash: string): Promise<SessionRow | undefined>;
  /** Sets last_seen_at (never backwards); false when the session does not exist. */
  touchSession(idHash: string, at: number): Promise<boolean>;
  deleteSession(idHash: string): Promise<boolean>;
  /** Ends every session of `userId` except `keepIdHash`; returns how many ended. */
  deleteSessionsOfUser(userId: string, keepIdHash?: string): Promise<number>;
  /** Deletes sessions idle since before `idleBefore` or expired by `now`; returns how many. */
  purgeSessions(idleBefore: number, now: number): Promise<number>;

  insertToken(t: TokenRow): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<TokenRow | undefined>;
  getToken(id: string): Promise<TokenRow | undefined>;
  /** Tokens of `ownerId` (all tokens when undefined), newest first. */
  listTokens(ownerId?: string): Promise<TokenRow[]>;
  /** Sets revoked_at once; false when unknown or already revoked. */
  revokeToken(id: string, at: number): Promise<boolean>;
  /** Revokes every live token of `ownerId`; returns how many. */
  revokeTokensOf(ownerId: string, at: number): Promise<number>;
  touchToken(id: string, at: number): Promise<void>;

  getThrottle(keys: readonly string[]): Promise<ThrottleRow[]>;
  /**
   * Records a failure for `key` atomically: `decide` gets the current row (undefined if none)
   * under a row lock and returns the row to store.
   */
  recordFailure(key: string, decide: (current: ThrottleRow | undefined) => ThrottleRow): Promise<ThrottleRow>;
  clearThrottle(key: string): Promise<void>;
}
