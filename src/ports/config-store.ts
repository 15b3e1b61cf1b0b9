/**
 * The ConfigStore port: the configuration model's items, group presence and the record of
 * every change (append-only, hash-chained). A change runs a pure check over the whole
 * configuration as it would be afterwards, inside the transaction that writes it, so two
 * concurrent changes can never together leave a dangling reference.
 */
import type { ConfigItemOf, ConfigKind, ConfigSnapshot, PresenceMap } from '../domain/config-model.ts';

export interface ConfigState {
  readonly snapshot: ConfigSnapshot;
  /** `<kind>/<id>` → the item's version (1 at creation, +1 per change). */
  readonly versions: ReadonlyMap<string, number>;
  readonly presence: PresenceMap;
}

export type ConfigChangeOp = 'create' | 'update' | 'delete' | 'presence-in' | 'presence-out';

export interface ConfigChangeEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  /** A config kind, or `presence` for log-ins and log-outs of group members. */
  readonly kind: ConfigKind | 'presence';
  readonly id: string;
  readonly op: ConfigChangeOp;
  readonly before: unknown;
  readonly after: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export type ConfigPut = {
  readonly [K in ConfigKind]: {
    readonly op: 'put';
    readonly kind: K;
    readonly item: ConfigItemOf[K];
    /** Optimistic concurrency: the version the caller read (0 = must not exist yet). */
    readonly ifVersion?: number | undefined;
  };
}[ConfigKind];

export type ConfigWrite =
  | ConfigPut
  | { readonly op: 'delete'; readonly kind: ConfigKind; readonly id: string; readonly ifVersion?: number | undefined };

export type ConfigWriteResult =
  | { readonly ok: true; readonly version: number; readonly entry: ConfigChangeEntry | undefined }
  | { readonly ok: false; readonly reason: 'not-found' | 'version-mismatch'; readonly current: number }
  | { readonly ok: false; readonly reason: 'refused'; readonly problems: readonly unknown[] };

export interface ConfigStore {
  /** The whole configuration, with versions and presence, as one consistent read. */
  load(): Promise<ConfigState>;
  /**
   * Applies `writes` (one change each, in order) if `check` finds no problem in the
   * configuration as it would be; records each change that alters something (an identical
   * put is a no-op with no entry). All or nothing.
   */
  write(
    writes: readonly ConfigWrite[],
    meta: { readonly actor: string; readonly at: number },
    check: (next: ConfigSnapshot) => readonly unknown[],
  ): Promise<ConfigWriteResult>;
  /** Logs `member` in to or out of `group`; records it when it changes something. */
  setPresence(group: string, member: string, present: boolean, meta: { actor: string; at: number }): Promise<boolean>;
  /** The change record in order, from seq `after` + 1. */
  changes(opts: { readonly after?: number; readonly limit: number }): Promise<ConfigChangeEntry[]>;
  /** The newest entry's seq and hash, to detect a record cut short. */
  changesHead(): Promise<{ seq: number; hash: string } | undefined>;
}
