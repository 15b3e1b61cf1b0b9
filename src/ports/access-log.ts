/**
 * The AccessLog port: who did what, from where, with which outcome — logins and logouts,
 * changes of users, groups, plans and configuration, maintenance operations, permission
 * denials. One global chain: entries get seq 1, 2, … and each hash covers the previous one
 * (see runtime/access-log-chain.ts). Append-only: the port has no update or delete, and the
 * database refuses UPDATE, DELETE and TRUNCATE (SQLSTATE 42501).
 */

export type AccessOutcome = 'success' | 'failure' | 'denied';

type Crud = 'create' | 'update' | 'delete';

/** What was done. Stored as text: adding a value needs no migration. */
export type AccessAction =
  | 'login'
  | 'logout'
  | 'bootstrap'
  | 'session.expired'
  | 'password.change'
  | 'password.set'
  | 'user.lock'
  | 'user.erase'
  | 'user.pin'
  | `user.${Crud}`
  | 'user.password'
  | 'user.unlock'
  | `group.${Crud}`
  | 'token.create'
  | 'token.revoke'
  | 'plan.publish'
  | 'plan.disable'
  | 'config.change'
  | `maintenance.${'backup' | 'restore' | 'restart' | 'update' | 'factory-reset'}`
  | 'permission.denied'
  | 'personal-data.erase'
  | 'audit.export'
  | 'phone.locating-alert'
  | 'phone.position'
  | 'dect.band'
  /** A what-if replay run (it reads many alarms' protocols at once). */
  | 'replay.what-if'
  /** An export of the operation protocol (GET /api/v1/protocol/export). */
  | 'protocol.export'
  /** An operator cancelled every alarm (and presence) of their environments (POST /api/v1/alarms/cancel-all). */
  | 'alarms.cancel-all';

/** What a caller records. Empty optional strings are stored as null. */
export interface AccessEntryInput {
  /** Epoch milliseconds (from the Clock port); stored as whole milliseconds. */
  readonly at: number;
  /** A user's login name, an API token's name, or `system`. */
  readonly actor: string;
  /** The client address, when there is one. */
  readonly source?: string | null | undefined;
  readonly action: AccessAction;
  readonly outcome: AccessOutcome;
  /** What was acted on (`user/alice`, `plan/escalate@3`, a route for a denial). */
  readonly target?: string | null | undefined;
  readonly environment?: string | null | undefined;
  /** Any JSON value (never secrets: no passwords, tokens or session ids). */
  readonly details?: unknown;
}

/** An entry as stored: every field present, with its place in the chain. */
export interface AccessEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly source: string | null;
  readonly action: string;
  readonly outcome: AccessOutcome;
  readonly target: string | null;
  readonly environment: string | null;
  readonly details: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AccessLogFilter {
  /** From this time on (epoch ms, inclusive). */
  readonly from?: number | undefined;
  /** Before this time (epoch ms, exclusive). */
  readonly to?: number | undefined;
  /** An exact action, or a family: `group.*` matches every action starting with `group.`. */
  readonly action?: string | undefined;
  readonly actor?: string | undefined;
  /** Exactly this environment (entries without one, like logins, do not match). */
  readonly environment?: string | undefined;
  readonly outcome?: AccessOutcome | undefined;
  /**
   * Only entries of one of these environments (a principal's scope, see storeFilter in
   * domain/environments.ts): entries without one never match, an empty list matches nothing.
   * Undefined: no restriction.
   */
  readonly environments?: readonly string[] | undefined;
}

/** A page of `list`: entries with `after` < seq < `before`, up to `limit` of them. */
export interface AccessLogPage {
  readonly after?: number | undefined;
  readonly before?: number | undefined;
  readonly limit: number;
  /** `desc`: the newest `limit` entries of the window, newest first. Default `asc`: the oldest, oldest first. */
  readonly order?: 'asc' | 'desc' | undefined;
}

export interface AccessLog {
  /**
   * Appends one entry at the head of the chain and answers it as stored (strings made
   * storable, see normaliseAccessEntry). Concurrent appends are serialised. Not idempotent:
   * every call is a new entry. Throws on database errors (nothing is then written).
   */
  append(entry: AccessEntryInput): Promise<AccessEntry>;
  /**
   * A page of entries matching the filter: by default in seq order from seq `after` + 1; with
   * `before`, only entries below it; with order `desc`, the newest of the window first.
   */
  list(opts: AccessLogFilter & AccessLogPage): Promise<AccessEntry[]>;
  /** The newest entry's seq and hash; undefined while the log is empty. */
  head(): Promise<{ readonly seq: number; readonly hash: string } | undefined>;
  /**
   * Every entry matching `filter` in seq order (read page by page), up to seq `through` when
   * given: for verification and export without holding the whole log in memory.
   */
  entries(filter?: AccessLogFilter & { readonly through?: number | undefined }): AsyncIterable<AccessEntry>;
}
