/**
 * The IdentityStore conformance suite: one set of cases, run against PostgreSQL
 * (store-pg.test.ts) and PGlite (store-pglite.test.ts) through `store.identity`. Every case
 * starts from empty identity tables. The rules the database must hold whoever calls: login
 * keys unique, a group in use cannot be deleted, sessions and tokens go with their user,
 * failures counted atomically, bootstrap once however many processes start, and every change
 * of a user or group adds one to its version, an expected version being checked in the same
 * statement (a stale one writes nothing, even when two admins save at once).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { UserGroup } from '../../src/domain/identity.ts';
import type {
  IdentityStore,
  NewUser,
  SessionRow,
  ThrottleRow,
  TokenRow,
  UserChange,
} from '../../src/ports/identity-store.ts';
import type { TestStore } from '../support/services.ts';

const T = Date.UTC(2026, 10, 26, 8, 0, 0);

const group = (id: string, permissions: UserGroup['permissions'] = []): UserGroup => ({
  id,
  name: id,
  description: '',
  permissions,
});

const user = (id: string, extra: Partial<NewUser> = {}): NewUser => ({
  id,
  loginName: id,
  loginKey: id.toLowerCase(),
  displayName: `User ${id}`,
  phone: '+49 30 1234',
  mobile: null,
  email: `${id}@example.org`,
  language: 'DE',
  startPage: '/',
  userGroup: 'ops',
  environments: ['default', 'north'],
  passwordHash: 'scrypt$hash',
  pinHash: null,
  mustChangePassword: false,
  builtIn: false,
  ...extra,
});

const session = (idHash: string, userId: string, extra: Partial<SessionRow> = {}): SessionRow => ({
  idHash,
  userId,
  createdAt: T,
  lastSeenAt: T,
  expiresAt: T + 8 * 3600_000,
  source: '10.0.0.1',
  csrfHash: `csrf-${idHash}`,
  ...extra,
});

const token = (id: string, ownerId: string, createdAt = T): TokenRow => ({
  id,
  tokenHash: `hash-${id}`,
  name: `token ${id}`,
  ownerId,
  permissions: ['operation.alarms.view'],
  environments: ['default'],
  createdAt,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
});

const bump =
  (key: string, at: number) =>
  (cur: ThrottleRow | undefined): ThrottleRow => ({
    key,
    failures: (cur?.failures ?? 0) + 1,
    firstAt: cur?.firstAt ?? at,
    lastAt: at,
    blockedUntil: null,
    locked: false,
  });

export function identityStoreConformance(name: string, make: () => Promise<TestStore>): void {
  describe(`IdentityStore conformance: ${name}`, () => {
    let t: TestStore;
    let s: IdentityStore;

    before(async () => {
      t = await make();
      s = t.store.identity;
    });
    after(async () => {
      await t.cleanup();
    });
    beforeEach(async () => {
      await sql`truncate sessions, api_tokens, login_throttle, users, user_groups`.execute(t.store.db);
      await s.putGroup(group('ops', ['operation.alarms.view']), T);
    });

    it('bootstrap runs once however many processes start at once, and re-grants the admin group', async () => {
      await sql`truncate user_groups cascade`.execute(t.store.db);
      const input = {
        groups: [group('administrator', ['system.restart']), group('viewer')],
        adminGroup: 'administrator',
        adminPermissions: ['system.restart'],
        admin: user('admin', { userGroup: 'administrator', builtIn: true, mustChangePassword: true }),
        at: T,
      };
      const results = await Promise.all([s.bootstrap(input), s.bootstrap(input), s.bootstrap(input)]);
      assert.equal(results.filter((r) => r.admin).length, 1);
      assert.equal(results.filter((r) => r.groups.length === 2).length, 1);
      assert.deepEqual(
        (await s.listGroups()).map((g) => g.id),
        ['administrator', 'viewer'],
      );
      // A later release knows more permissions: the admin group gets them; deleted groups stay deleted.
      await s.deleteGroup('viewer');
      const again = await s.bootstrap({ ...input, adminPermissions: ['system.restart', 'system.monitor'] });
      assert.deepEqual(again, { groups: [], admin: false });
      assert.deepEqual((await s.getGroup('administrator'))!.permissions, ['system.restart', 'system.monitor']);
      assert.equal(await s.getGroup('viewer'), undefined);
      const admin = (await s.getUser('admin'))!;
      assert.equal(admin.builtIn, true);
      assert.equal(admin.mustChangePassword, true);
    });

    it('a user round-trips every field; login keys are unique', async () => {
      assert.equal(await s.insertUser(user('Alice', { pinHash: 'scrypt$pin' }), T), 'ok');
      const a = (await s.findUserByLoginKey('alice'))!;
      assert.deepEqual(
        { ...a },
        {
          id: 'Alice',
          loginName: 'Alice',
          loginKey: 'alice',
          displayName: 'User Alice',
          phone: '+49 30 1234',
          mobile: null,
          email: 'Alice@example.org',
          language: 'DE',
          startPage: '/',
          userGroup: 'ops',
          environments: ['default', 'north'],
          hasPin: true,
          mustChangePassword: false,
          locked: false,
          builtIn: false,
          erased: false,
          createdAt: T,
          updatedAt: T,
          version: 1,
          passwordHash: 'scrypt$hash',
          pinHash: 'scrypt$pin',
        },
      );
      // Another id, the same key: refused by the database.
      assert.equal(await s.insertUser(user('other', { loginName: 'ALICE', loginKey: 'alice' }), T), 'duplicate-login');
      assert.equal(await s.insertUser(user('bob', { userGroup: 'nope' }), T), 'unknown-group');
      assert.deepEqual(
        (await s.listUsers()).map((u) => u.id),
        ['Alice'],
      );
    });

    it('updates apply only the given fields; null clears; renaming onto a taken key is refused', async () => {
      await s.insertUser(user('a'), T);
      await s.insertUser(user('b'), T);
      assert.equal(await s.updateUser('a', { phone: null, displayName: 'Anna', locked: true }, T + 5), 'ok');
      const a = (await s.getUser('a'))!;
      assert.equal(a.phone, null);
      assert.equal(a.displayName, 'Anna');
      assert.equal(a.email, 'a@example.org');
      assert.equal(a.locked, true);
      assert.equal(a.updatedAt, T + 5);
      assert.equal(await s.updateUser('a', { loginName: 'B', loginKey: 'b' }, T), 'duplicate-login');
      assert.equal(await s.updateUser('a', { userGroup: 'nope' }, T), 'unknown-group');
      assert.equal(await s.updateUser('zz', { displayName: 'x' }, T), 'not-found');
      assert.equal((await s.getUser('a'))!.loginKey, 'a');
    });

    it('a group in use cannot be deleted; once empty it can', async () => {
      assert.deepEqual(await s.putGroup(group('night'), T), { outcome: 'created', version: 1 });
      assert.deepEqual(await s.putGroup(group('night', ['system.monitor']), T + 1), { outcome: 'updated', version: 2 });
      assert.deepEqual((await s.getGroup('night'))!.permissions, ['system.monitor']);
      await s.insertUser(user('a', { userGroup: 'night' }), T);
      assert.equal(await s.deleteGroup('night'), 'in-use');
      assert.equal(await s.deleteUser('a'), true);
      assert.equal(await s.deleteGroup('night'), 'ok');
      assert.equal(await s.deleteGroup('night'), 'not-found');
    });

    it('a group is at version 1 when created and one more per change; a stale expected version writes nothing', async () => {
      assert.equal((await s.getGroup('ops'))!.version, 1);
      // 0: create only.
      assert.deepEqual(await s.putGroup(group('night'), T, 0), { outcome: 'created', version: 1 });
      assert.deepEqual(await s.putGroup(group('night', ['system.monitor']), T + 1, 0), {
        outcome: 'version-mismatch',
        current: 1,
      });
      assert.deepEqual(await s.putGroup(group('night', ['system.monitor']), T + 2, 1), {
        outcome: 'updated',
        version: 2,
      });
      // Without an expected version a write still counts.
      assert.deepEqual(await s.putGroup(group('night', ['system.restart']), T + 3), { outcome: 'updated', version: 3 });
      const current = await s.getGroup('night');
      assert.deepEqual(
        { permissions: current!.permissions, updatedAt: current!.updatedAt, version: current!.version },
        { permissions: ['system.restart'], updatedAt: T + 3, version: 3 },
      );
      // Stale: refused with the current version, the row as it was.
      assert.deepEqual(await s.putGroup(group('night', ['system.monitor']), T + 4, 2), {
        outcome: 'version-mismatch',
        current: 3,
      });
      assert.deepEqual(await s.getGroup('night'), current);
      // An expected version of a group that does not exist matches nothing, and creates nothing.
      assert.deepEqual(await s.putGroup(group('gone'), T, 4), { outcome: 'version-mismatch', current: 0 });
      assert.equal(await s.getGroup('gone'), undefined);
      // Delete: stale and "must not exist" are refused; the right version deletes.
      assert.equal(await s.deleteGroup('night', 2), 'version-mismatch');
      assert.equal(await s.deleteGroup('night', 0), 'version-mismatch');
      assert.deepEqual(await s.getGroup('night'), current);
      assert.equal(await s.deleteGroup('night', 3), 'ok');
      assert.equal(await s.deleteGroup('night', 3), 'version-mismatch');
      assert.equal(await s.deleteGroup('night', 0), 'not-found');
    });

    it('two admins saving a group at the same version: exactly one wins, the other writes nothing', async () => {
      const results = await Promise.all([
        s.putGroup(group('ops', ['system.monitor']), T + 1, 1),
        s.putGroup(group('ops', ['system.restart']), T + 2, 1),
      ]);
      const won = results.filter((r) => r.outcome === 'updated');
      assert.equal(won.length, 1, JSON.stringify(results));
      assert.deepEqual(
        results.find((r) => r.outcome !== 'updated'),
        { outcome: 'version-mismatch', current: 2 },
      );
      const winner = results[0]!.outcome === 'updated' ? ['system.monitor'] : ['system.restart'];
      assert.deepEqual((await s.getGroup('ops'))!.permissions, winner);
      assert.equal((await s.getGroup('ops'))!.version, 2);
    });

    it('bootstrap re-grants the admin group with a new version only when its permissions change', async () => {
      const input = {
        groups: [],
        adminGroup: 'ops',
        adminPermissions: ['operation.alarms.view'],
        admin: user('admin', { builtIn: true }),
        at: T,
      };
      await s.bootstrap(input);
      assert.equal((await s.getGroup('ops'))!.version, 1);
      await s.bootstrap({ ...input, adminPermissions: ['operation.alarms.view', 'system.monitor'] });
      assert.equal((await s.getGroup('ops'))!.version, 2);
    });

    it('every change of a user adds one to its version; a stale expected version writes nothing', async () => {
      await s.insertUser(user('a'), T);
      assert.equal((await s.getUser('a'))!.version, 1);
      // Profile, password set or changed, PIN, lock, unlock: each is a change.
      const changes: UserChange[] = [
        { displayName: 'Anna', phone: null },
        { passwordHash: 'scrypt$new', mustChangePassword: true },
        { passwordHash: 'scrypt$newer', mustChangePassword: false },
        { pinHash: 'scrypt$pin' },
        { locked: true },
        { locked: false },
      ];
      for (const [i, change] of changes.entries()) {
        assert.equal(await s.updateUser('a', change, T + i + 1), 'ok', JSON.stringify(change));
        assert.equal((await s.getUser('a'))!.version, i + 2, JSON.stringify(change));
      }
      const before = (await s.getUser('a'))!;
      assert.equal(before.version, 7);
      // Stale (and 0, "must not exist", for a user that does): refused, nothing written.
      assert.equal(await s.updateUser('a', { displayName: 'Stale' }, T + 50, 6), 'version-mismatch');
      assert.equal(await s.updateUser('a', { locked: true }, T + 50, 0), 'version-mismatch');
      assert.deepEqual(await s.getUser('a'), before);
      assert.equal(await s.updateUser('zz', { displayName: 'x' }, T, 1), 'not-found');
      // The current version: written, and one more.
      assert.equal(await s.updateUser('a', { displayName: 'Fresh' }, T + 51, 7), 'ok');
      assert.deepEqual(
        { displayName: (await s.getUser('a'))!.displayName, version: (await s.getUser('a'))!.version },
        { displayName: 'Fresh', version: 8 },
      );
      // Erasure is a change too.
      const erase: UserChange = { loginName: 'erased-1', loginKey: 'erased-1', displayName: 'erased-1', erased: true };
      assert.equal(await s.updateUser('a', erase, T + 52), 'ok');
      assert.equal((await s.getUser('a'))!.version, 9);
      // Delete at a stale version: nothing deleted; at the current one: deleted.
      assert.equal(await s.deleteUser('a', 8), false);
      assert.ok(await s.getUser('a'));
      assert.equal(await s.deleteUser('a', 9), true);
      assert.equal(await s.getUser('a'), undefined);
    });

    it('deleting a user deletes their sessions and tokens', async () => {
      await s.insertUser(user('a'), T);
      await s.insertSession(session('s1', 'a'));
      await s.insertToken(token('t1', 'a'));
      assert.equal(await s.deleteUser('a'), true);
      assert.equal(await s.getSession('s1'), undefined);
      assert.equal(await s.getToken('t1'), undefined);
      assert.equal(await s.deleteUser('a'), false);
    });

    it('sessions: touch never goes backwards; end all but one; purge idle and expired', async () => {
      await s.insertUser(user('a'), T);
      await s.insertSession(session('s1', 'a'));
      await s.insertSession(session('s2', 'a', { lastSeenAt: T + 10 }));
      await s.insertSession(session('s3', 'a', { expiresAt: T + 100 }));
      assert.deepEqual(await s.getSession('s1'), session('s1', 'a'));
      assert.equal(await s.touchSession('s1', T + 50), true);
      assert.equal(await s.touchSession('s1', T + 20), true);
      assert.equal((await s.getSession('s1'))!.lastSeenAt, T + 50);
      assert.equal(await s.touchSession('nope', T), false);
      // Idle before T+20 (s2 was last seen at T+10) or expired by T+100 (s3).
      assert.equal(await s.purgeSessions(T + 20, T + 100), 2);
      assert.ok(await s.getSession('s1'));
      await s.insertSession(session('s4', 'a'));
      await s.insertSession(session('s5', 'a'));
      assert.equal(await s.deleteSessionsOfUser('a', 's4'), 2);
      assert.ok(await s.getSession('s4'));
      assert.equal(await s.deleteSession('s4'), true);
      assert.equal(await s.deleteSession('s4'), false);
    });

    it('tokens: found by hash, listed newest first, revoked once', async () => {
      await s.insertUser(user('a'), T);
      await s.insertUser(user('b'), T);
      await s.insertToken(token('t1', 'a', T));
      await s.insertToken(token('t2', 'a', T + 1));
      await s.insertToken(token('t3', 'b', T + 2));
      assert.deepEqual(await s.findTokenByHash('hash-t1'), token('t1', 'a', T));
      assert.equal(await s.findTokenByHash('hash-zz'), undefined);
      assert.deepEqual(
        (await s.listTokens('a')).map((x) => x.id),
        ['t2', 't1'],
      );
      assert.deepEqual(
        (await s.listTokens()).map((x) => x.id),
        ['t3', 't2', 't1'],
      );
      assert.equal(await s.revokeToken('t1', T + 9), true);
      assert.equal(await s.revokeToken('t1', T + 10), false);
      assert.equal((await s.getToken('t1'))!.revokedAt, T + 9);
      assert.equal(await s.revokeTokensOf('a', T + 11), 1);
      await s.touchToken('t3', T + 12);
      assert.equal((await s.getToken('t3'))!.lastUsedAt, T + 12);
    });

    it('throttle failures are counted atomically under concurrency and cleared by key', async () => {
      const key = 'account:alice';
      await Promise.all(Array.from({ length: 20 }, (_, i) => s.recordFailure(key, bump(key, T + i))));
      const [row] = await s.getThrottle([key, 'source:none']);
      assert.equal(row!.failures, 20);
      assert.equal(row!.firstAt >= T, true);
      await s.recordFailure('source:10.0.0.1', () => ({
        key: 'source:10.0.0.1',
        failures: 3,
        firstAt: T,
        lastAt: T,
        blockedUntil: T + 1000,
        locked: true,
      }));
      assert.deepEqual(await s.getThrottle(['source:10.0.0.1']), [
        { key: 'source:10.0.0.1', failures: 3, firstAt: T, lastAt: T, blockedUntil: T + 1000, locked: true },
      ]);
      await s.clearThrottle(key);
      assert.deepEqual(await s.getThrottle([key]), []);
      assert.deepEqual(await s.getThrottle([]), []);
    });
  });
}
