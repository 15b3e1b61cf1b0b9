/**
 * The IdentityStore over Kysely (PostgreSQL and PGlite, one set of SQL). Uniqueness of login
 * names and "a group in use cannot be deleted" are the database's constraints (unique
 * login_key, users.user_group → user_groups ON DELETE RESTRICT), so two concurrent admins
 * cannot break them; sessions and tokens cascade with their user. Every UPDATE of a user or
 * group row adds one to its `version`, and an expected version is part of the statement's
 * WHERE (or its ON CONFLICT), so a stale one writes nothing even under concurrency.
 *
 * Here: bootstrap, groups and users, and which writes are made durable. Row mapping is in
 * identity-rows.ts; the session and login-throttle queries in identity-session-queries.ts, the
 * API token queries in identity-token-queries.ts.
 */
import { sql, type Kysely } from 'kysely';
import type { UserGroup } from '../domain/identity.ts';
import type {
  IdentityStore,
  NewUser,
  SessionRow,
  StoredGroup,
  StoredUser,
  ThrottleRow,
  TokenRow,
  GroupWriteResult,
  IfVersion,
  UserChange,
  UserWriteResult,
} from '../ports/identity-store.ts';
import type { DB } from './db-schema.ts';
import { date, groupValues, json, toGroup, toUser, userValues } from './identity-rows.ts';
import * as sessions from './identity-session-queries.ts';
import * as tokens from './identity-token-queries.ts';

/** Advisory lock class of the first-start bootstrap ("iden" in ASCII). */
const IDENTITY_LOCK = 0x6964656e;

const pgCode = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;

/** The SET of a change to a versioned row: one more than it was. */
const nextVersion = sql<number>`version + 1`;

const writeError = (err: unknown): UserWriteResult => {
  if (pgCode(err) === '23505') return 'duplicate-login';
  if (pgCode(err) === '23503') return 'unknown-group';
  throw err;
};

export class KyselyIdentityStore implements IdentityStore {
  constructor(
    private readonly db: Kysely<DB>,
    /** Called after each successful commit, before it is acknowledged (PGlite's WAL fsync). */
    private readonly durable?: () => Promise<void>,
  ) {}

  private async synced<T>(v: T): Promise<T> {
    if (this.durable) await this.durable();
    return v;
  }

  async bootstrap(input: Parameters<IdentityStore['bootstrap']>[0]): Promise<{ groups: string[]; admin: boolean }> {
    const result = await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${IDENTITY_LOCK})`.execute(trx);
      const anyGroup = await trx.selectFrom('user_groups').select('id').limit(1).executeTakeFirst();
      const groups: string[] = [];
      if (!anyGroup) {
        for (const g of input.groups) {
          await trx
            .insertInto('user_groups')
            .values({ ...groupValues(g), created_at: date(input.at), updated_at: date(input.at) })
            .execute();
          groups.push(g.id);
        }
      }
      // Only a real change is one: every start would otherwise make an admin's edit stale.
      const permissions = json(input.adminPermissions);
      await trx
        .updateTable('user_groups')
        .set({ permissions, version: nextVersion })
        .where('id', '=', input.adminGroup)
        .where(sql<boolean>`permissions is distinct from cast(${permissions} as jsonb)`)
        .execute();
      const builtIn = await trx.selectFrom('users').select('id').where('built_in', '=', true).executeTakeFirst();
      if (!builtIn) await trx.insertInto('users').values(userValues(input.admin, input.at)).execute();
      return { groups, admin: !builtIn };
    });
    return this.synced(result);
  }

  async listGroups(): Promise<StoredGroup[]> {
    return (await this.db.selectFrom('user_groups').selectAll().orderBy('id').execute()).map(toGroup);
  }

  async getGroup(id: string): Promise<StoredGroup | undefined> {
    const r = await this.db.selectFrom('user_groups').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toGroup(r);
  }

  async putGroup(group: UserGroup, at: number, ifVersion?: IfVersion): Promise<GroupWriteResult> {
    const r = await this.writeGroup({ ...groupValues(group), created_at: date(at), updated_at: date(at) }, ifVersion);
    if (!r) return { outcome: 'version-mismatch', current: (await this.getGroup(group.id))?.version ?? 0 };
    return this.synced({ outcome: r.inserted ? 'created' : 'updated', version: r.version });
  }

  /** putGroup's one statement: the row's new version, or undefined when it is not at `ifVersion`. */
  private async writeGroup(
    values: ReturnType<typeof groupValues> & { created_at: Date; updated_at: Date },
    ifVersion: IfVersion,
  ): Promise<{ version: number; inserted: boolean } | undefined> {
    // After an INSERT … ON CONFLICT, xmax = 0 only for a freshly inserted row.
    const inserted = sql<boolean>`(xmax = 0)`.as('inserted');
    const insert = this.db.insertInto('user_groups').values(values);
    if (ifVersion === undefined)
      return insert
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            description: eb.ref('excluded.description'),
            permissions: eb.ref('excluded.permissions'),
            updated_at: eb.ref('excluded.updated_at'),
            version: sql<number>`user_groups.version + 1`,
          })),
        )
        .returning(['version', inserted])
        .executeTakeFirstOrThrow();
    // 0: create only.
    if (ifVersion === 0)
      return insert
        .onConflict((oc) => oc.column('id').doNothing())
        .returning(['version', inserted])
        .executeTakeFirst();
    const { name, description, permissions, updated_at } = values;
    return this.db
      .updateTable('user_groups')
      .set({ name, description, permissions, updated_at, version: nextVersion })
      .where('id', '=', values.id)
      .where('version', '=', ifVersion)
      .returning(['version', sql<boolean>`false`.as('inserted')])
      .executeTakeFirst();
  }

  async deleteGroup(id: string, ifVersion?: IfVersion): Promise<'ok' | 'not-found' | 'in-use' | 'version-mismatch'> {
    try {
      let q = this.db.deleteFrom('user_groups').where('id', '=', id);
      if (ifVersion !== undefined) q = q.where('version', '=', ifVersion);
      const r = await q.executeTakeFirst();
      if (Number(r.numDeletedRows) === 1) return this.synced('ok');
      if (ifVersion === undefined) return 'not-found';
      // As RFC 9110 says of If-Match: a version other than 0 does not match a missing group either.
      if (ifVersion > 0) return 'version-mismatch';
      return (await this.getGroup(id)) ? 'version-mismatch' : 'not-found';
    } catch (err) {
      // foreign_key_violation, or restrict_violation where the server names ON DELETE RESTRICT.
      if (pgCode(err) === '23503' || pgCode(err) === '23001') return 'in-use';
      throw err;
    }
  }

  async listUsers(): Promise<StoredUser[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('login_key').execute()).map(toUser);
  }

  async getUser(id: string): Promise<StoredUser | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async findUserByLoginKey(loginKey: string): Promise<StoredUser | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('login_key', '=', loginKey).executeTakeFirst();
    return r && toUser(r);
  }

  async insertUser(user: NewUser, at: number): Promise<UserWriteResult> {
    try {
      await this.db.insertInto('users').values(userValues(user, at)).execute();
      return this.synced('ok');
    } catch (err) {
      return writeError(err);
    }
  }

  async updateUser(id: string, c: UserChange, at: number, ifVersion?: IfVersion): Promise<UserWriteResult> {
    const set: Record<string, unknown> = { updated_at: date(at), version: nextVersion };
    const map: [keyof UserChange, string][] = [
      ['loginName', 'login_name'],
      ['loginKey', 'login_key'],
      ['displayName', 'display_name'],
      ['phone', 'phone'],
      ['mobile', 'mobile'],
      ['email', 'email'],
      ['language', 'language'],
      ['startPage', 'start_page'],
      ['userGroup', 'user_group'],
      ['pinHash', 'pin_hash'],
      ['mustChangePassword', 'must_change_password'],
      ['erased', 'erased'],
    ];
    for (const [k, col] of map) if (c[k] !== undefined) set[col] = c[k];
    if (c.environments !== undefined) set.environments = json(c.environments);
    if (c.passwordHash !== undefined) {
      set.password_hash = c.passwordHash;
      set.password_changed_at = date(at);
    }
    if (c.locked !== undefined) {
      set.locked = c.locked;
      set.locked_at = c.locked ? date(at) : null;
    }
    try {
      let q = this.db.updateTable('users').set(set).where('id', '=', id);
      if (ifVersion !== undefined) q = q.where('version', '=', ifVersion);
      const r = await q.executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return this.synced('ok');
      return ifVersion !== undefined && (await this.getUser(id)) ? 'version-mismatch' : 'not-found';
    } catch (err) {
      return writeError(err);
    }
  }

  async deleteUser(id: string, ifVersion?: IfVersion): Promise<boolean> {
    let q = this.db.deleteFrom('users').where('id', '=', id);
    if (ifVersion !== undefined) q = q.where('version', '=', ifVersion);
    const r = await q.executeTakeFirst();
    return this.synced(Number(r.numDeletedRows) === 1);
  }

  async insertSession(s: SessionRow): Promise<void> {
    await this.synced(await sessions.insertSession(this.db, s));
  }

  getSession(idHash: string): Promise<SessionRow | undefined> {
    return sessions.getSession(this.db, idHash);
  }

  touchSession(idHash: string, at: number): Promise<boolean> {
    // Not made durable: losing a touch in a crash only shortens an idle session.
    return sessions.touchSession(this.db, idHash, at);
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return this.synced(await sessions.deleteSession(this.db, idHash));
  }

  async deleteSessionsOfUser(userId: string, keepIdHash?: string): Promise<number> {
    return this.synced(await sessions.deleteSessionsOfUser(this.db, userId, keepIdHash));
  }

  async purgeSessions(idleBefore: number, now: number): Promise<number> {
    return this.synced(await sessions.purgeSessions(this.db, idleBefore, now));
  }

  async insertToken(t: TokenRow): Promise<void> {
    await this.synced(await tokens.insertToken(this.db, t));
  }

  findTokenByHash(tokenHash: string): Promise<TokenRow | undefined> {
    return tokens.findTokenByHash(this.db, tokenHash);
  }

  getToken(id: string): Promise<TokenRow | undefined> {
    return tokens.getToken(this.db, id);
  }

  listTokens(ownerId?: string): Promise<TokenRow[]> {
    return tokens.listTokens(this.db, ownerId);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    return this.synced(await tokens.revokeToken(this.db, id, at));
  }

  async revokeTokensOf(ownerId: string, at: number): Promise<number> {
    return this.synced(await tokens.revokeTokensOf(this.db, ownerId, at));
  }

  touchToken(id: string, at: number): Promise<void> {
    return tokens.touchToken(this.db, id, at);
  }

  getThrottle(keys: readonly string[]): Promise<ThrottleRow[]> {
    return sessions.getThrottle(this.db, keys);
  }

  async recordFailure(key: string, decide: (current: ThrottleRow | undefined) => ThrottleRow): Promise<ThrottleRow> {
    return this.synced(await sessions.recordFailure(this.db, key, decide));
  }

  async clearThrottle(key: string): Promise<void> {
    await this.synced(await sessions.clearThrottle(this.db, key));
  }
}
