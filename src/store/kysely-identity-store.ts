/**
 * The IdentityStore over Kysely (PostgreSQL and PGlite, one set of SQL). Uniqueness of login
 * names and "a group in use cannot be deleted" are the database's constraints (unique
 * login_key, users.user_group → user_groups ON DELETE RESTRICT), so two concurrent admins
 * cannot break them; sessions and tokens cascade with their user. Every UPDATE of a user or
 * group row adds one to its `version`, and an expected version is part of the statement's
 * WHERE (or its ON CONFLICT), so a stale one writes nothing even under concurrency.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Language } from '../domain/identity.ts';
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
import type { DB, UsersTable } from './db-schema.ts';
import type { UserGroup } from '../domain/identity.ts';
import type { Permission } from '../domain/permissions.ts';

/** Advisory lock class of the first-start bootstrap ("iden" in ASCII). */
const IDENTITY_LOCK = 0x6964656e;

const json = (v: unknown): string => JSON.stringify(v);
const date = (t: number): Date => new Date(Math.trunc(t));
const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const pgCode = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;

function toUser(r: Selectable<UsersTable>): StoredUser {
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

function toGroup(r: Selectable<DB['user_groups']>): StoredGroup {
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

function toSession(r: Selectable<DB['sessions']>): SessionRow {
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

function toToken(r: Selectable<DB['api_tokens']>): TokenRow {
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

function toThrottle(r: Selectable<DB['login_throttle']>): ThrottleRow {
  return {
    key: r.key,
    failures: Number(r.failures),
    firstAt: r.first_at.getTime(),
    lastAt: r.last_at.getTime(),
    blockedUntil: ms(r.blocked_until),
    locked: r.locked,
  };
}

function userValues(u: NewUser, at: number) {
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
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: s.idHash,
        user_id: s.userId,
        created_at: date(s.createdAt),
        last_seen_at: date(s.lastSeenAt),
        expires_at: date(s.expiresAt),
        source: s.source,
        csrf_hash: s.csrfHash,
      })
      .execute();
    await this.synced(undefined);
  }

  async getSession(idHash: string): Promise<SessionRow | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && toSession(r);
  }

  async touchSession(idHash: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set((eb) => ({ last_seen_at: sql<Date>`greatest(${eb.ref('last_seen_at')}, ${date(at)})` }))
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    // Not made durable: losing a touch in a crash only shortens an idle session.
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return this.synced(Number(r.numDeletedRows) === 1);
  }

  async deleteSessionsOfUser(userId: string, keepIdHash?: string): Promise<number> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keepIdHash !== undefined) q = q.where('id_hash', '!=', keepIdHash);
    return this.synced(Number((await q.executeTakeFirst()).numDeletedRows));
  }

  async purgeSessions(idleBefore: number, now: number): Promise<number> {
    const r = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('last_seen_at', '<', date(idleBefore)), eb('expires_at', '<=', date(now))]))
      .executeTakeFirst();
    return this.synced(Number(r.numDeletedRows));
  }

  async insertToken(t: TokenRow): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        token_hash: t.tokenHash,
        name: t.name,
        owner_id: t.ownerId,
        permissions: json(t.permissions),
        environments: json(t.environments),
        created_at: date(t.createdAt),
        expires_at: t.expiresAt === null ? null : date(t.expiresAt),
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    await this.synced(undefined);
  }

  async findTokenByHash(tokenHash: string): Promise<TokenRow | undefined> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && toToken(r);
  }

  async getToken(id: string): Promise<TokenRow | undefined> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toToken(r);
  }

  async listTokens(ownerId?: string): Promise<TokenRow[]> {
    let q = this.db.selectFrom('api_tokens').selectAll();
    if (ownerId !== undefined) q = q.where('owner_id', '=', ownerId);
    return (await q.orderBy('created_at', 'desc').orderBy('id').execute()).map(toToken);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: date(at) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return this.synced(Number(r.numUpdatedRows) === 1);
  }

  async revokeTokensOf(ownerId: string, at: number): Promise<number> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: date(at) })
      .where('owner_id', '=', ownerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return this.synced(Number(r.numUpdatedRows));
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: date(at) })
      .where('id', '=', id)
      .execute();
  }

  async getThrottle(keys: readonly string[]): Promise<ThrottleRow[]> {
    if (keys.length === 0) return [];
    const rows = await this.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', 'in', [...keys])
      .execute();
    return rows.map(toThrottle);
  }

  async recordFailure(key: string, decide: (current: ThrottleRow | undefined) => ThrottleRow): Promise<ThrottleRow> {
    const row = await this.db.transaction().execute(async (trx) => {
      // Two attempts: a concurrent first failure may insert the row between our select and insert.
      for (let attempt = 0; ; attempt++) {
        const cur = await trx
          .selectFrom('login_throttle')
          .selectAll()
          .where('key', '=', key)
          .forUpdate()
          .executeTakeFirst();
        const next = decide(cur && toThrottle(cur));
        const values = {
          key,
          failures: next.failures,
          first_at: date(next.firstAt),
          last_at: date(next.lastAt),
          blocked_until: next.blockedUntil === null ? null : date(next.blockedUntil),
          locked: next.locked,
        };
        if (cur) {
          await trx.updateTable('login_throttle').set(values).where('key', '=', key).execute();
          return next;
        }
        const ins = await trx
          .insertInto('login_throttle')
          .values(values)
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 1 || attempt > 0) return next;
      }
    });
    return this.synced(row);
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
    await this.synced(undefined);
  }
}

const groupValues = (g: UserGroup) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  permissions: json(g.permissions),
});
