// AuthService (src/runtime/auth-service.ts) over PGlite in memory, on a VirtualClock: no
// sleeps, no wall clock. Bootstrap, login answers that do not tell users apart, throttling
// and lockout, session timeouts, password changes, API token scope, the rules on users and
// groups, erasure. Hashes use N=2^14 (the least a stored hash may have) to keep this fast;
// passwords.test.ts covers the production cost.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { TocsinError } from '../../src/domain/errors.ts';
import { AuthService, SYSTEM, type AuditEvent, type Principal } from '../../src/runtime/auth-service.ts';
import { VirtualClock } from '../../src/scheduler/virtual-clock.ts';
import { memoryStore, type TestStore } from '../support/services.ts';

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);
const MIN = 60_000;
const GOOD = 'Four alarm bells at dawn';
const IP = '192.0.2.10';

const code = (c: string) => (err: unknown) => err instanceof TocsinError && err.code === c;

describe('AuthService', () => {
  let t: TestStore;
  let clock: VirtualClock;
  let audit: AuditEvent[];
  let auth: AuthService;

  before(async () => {
    t = await memoryStore();
  });
  after(async () => {
    await t.cleanup();
  });
  beforeEach(async () => {
    await sql`truncate sessions, api_tokens, login_throttle, users, user_groups`.execute(t.store.db);
    clock = new VirtualClock(T0);
    audit = [];
    auth = new AuthService({
      store: t.store.identity,
      clock,
      onAudit: (e) => void audit.push(e),
      scrypt: { N: 2 ** 14, r: 8, p: 1 },
    });
    await auth.bootstrap();
  });

  /** A user who has already changed the first password. */
  const addUser = (loginName: string, userGroup = 'operator', environments = ['default']) =>
    auth.createUser(SYSTEM, { loginName, displayName: loginName, userGroup, environments }, GOOD, {
      mustChangePassword: false,
    });

  const sessionOf = async (loginName: string, password = GOOD, source = IP) => {
    const r = await auth.login(loginName, password, source);
    assert.equal(r.ok, true, JSON.stringify(r));
    return r as Extract<typeof r, { ok: true }>;
  };

  it('bootstrap creates the standard groups and admin/admin once; admin must change the password first', async () => {
    assert.deepEqual((await auth.listGroups()).map((g) => g.id).sort(), [
      'administrator',
      'operator',
      'technician',
      'viewer',
    ]);
    assert.deepEqual(await auth.bootstrap(), { groups: [], admin: false });
    assert.equal(audit.filter((e) => e.action === 'bootstrap').length, 1);

    const s = await sessionOf('admin', 'admin');
    assert.equal(s.mustChangePassword, true);
    const p = (await auth.authenticate(s.session))!;
    assert.equal(p.mustChangePassword, true);
    assert.ok(p.permissions.includes('administration.users.edit'));
    // 'Admin' and the login name are refused as the new password, with the reason.
    const r = await auth.changePassword(p.userId, 'admin', 'Admin');
    assert.deepEqual(r, { ok: false, reason: 'policy', message: "the password must not be 'admin'" });
    assert.deepEqual(await auth.changePassword(p.userId, 'admin', GOOD, { keepSessionId: s.session }), { ok: true });
    assert.equal((await auth.authenticate(s.session))!.mustChangePassword, false);
    assert.equal((await auth.login('admin', 'admin', IP)).ok, false);
  });

  it('unknown user and wrong password get the same answer and the same audit record', async () => {
    await addUser('margarete');
    const wrong = await auth.login('margarete', 'not the password', '192.0.2.1');
    const unknown = await auth.login('nobody', 'not the password', '192.0.2.2');
    assert.deepEqual(wrong, { ok: false, reason: 'invalid', retryAfterMs: 0 });
    assert.deepEqual(unknown, wrong);
    const [a, b] = audit.filter((e) => e.action === 'login');
    assert.deepEqual({ ...a, actor: '', source: '' }, { ...b, actor: '', source: '' });
    assert.equal(a!.outcome, 'failure');
    // An erased user is as unknown as one never created.
    const u = await addUser('erwin');
    await auth.erasePersonalData(SYSTEM, u.id);
    assert.deepEqual(await auth.login('erwin', GOOD, '192.0.2.3'), wrong);
  });

  it('a 10 MB password or login name is refused without hashing, as invalid', async () => {
    await addUser('margarete');
    const huge = 'x'.repeat(10 * 1024 * 1024);
    assert.deepEqual(await auth.login('margarete', huge, IP), { ok: false, reason: 'invalid', retryAfterMs: 0 });
    assert.deepEqual(await auth.login(huge, GOOD, '192.0.2.99'), { ok: false, reason: 'invalid', retryAfterMs: 0 });
    assert.equal(audit.at(-1)!.actor.length, 64);
    await assert.rejects(
      auth.createUser(SYSTEM, { loginName: 'x', displayName: 'x', userGroup: 'viewer', environments: ['d'] }, huge),
      code('validation'),
    );
  });

  it('account back-off doubles from the third failure; a correct password waits too; success clears it', async () => {
    await addUser('margarete');
    // Each attempt from another address: only the account key counts here.
    const attempt = (pw: string, i: number) => auth.login('Margarete', pw, `198.51.100.${i}`);
    assert.deepEqual(await attempt('wrong-1', 1), { ok: false, reason: 'invalid', retryAfterMs: 0 });
    assert.deepEqual(await attempt('wrong-2', 2), { ok: false, reason: 'invalid', retryAfterMs: 0 });
    assert.deepEqual(await attempt('wrong-3', 3), { ok: false, reason: 'invalid', retryAfterMs: 1000 });
    // Blocked: even the right password is not checked, and the attempt is not counted.
    assert.deepEqual(await attempt(GOOD, 4), { ok: false, reason: 'throttled', retryAfterMs: 1000 });
    clock.advance(999);
    assert.deepEqual(await attempt(GOOD, 5), { ok: false, reason: 'throttled', retryAfterMs: 1 });
    clock.advance(1);
    assert.deepEqual(await attempt('wrong-4', 6), { ok: false, reason: 'invalid', retryAfterMs: 2000 });
    clock.advance(2000);
    assert.equal((await attempt(GOOD, 7)).ok, true);
    // The count started again: two more failures are free.
    assert.deepEqual(await attempt('wrong-5', 8), { ok: false, reason: 'invalid', retryAfterMs: 0 });
    const failures = audit.filter((e) => e.action === 'login' && e.outcome === 'failure');
    assert.equal(failures.length, 7);
    assert.deepEqual(
      failures.map((e) => e.details!.reason),
      ['invalid', 'invalid', 'invalid', 'throttled', 'throttled', 'invalid', 'invalid'],
    );
  });

  it('a source address trying many names is slowed down too', async () => {
    const from = '203.0.113.7';
    for (const name of ['a1', 'a2']) assert.equal((await auth.login(name, 'x-wrong-x', from)).ok, false);
    assert.deepEqual(await auth.login('a3', 'x-wrong-x', from), { ok: false, reason: 'invalid', retryAfterMs: 1000 });
    assert.deepEqual(await auth.login('a4', 'x-wrong-x', from), { ok: false, reason: 'throttled', retryAfterMs: 1000 });
    // Another address is not affected.
    assert.deepEqual(await auth.login('a4', 'x-wrong-x', '203.0.113.8'), {
      ok: false,
      reason: 'invalid',
      retryAfterMs: 0,
    });
  });

  /** Ten failures for `name`, each from a new address, waiting out each back-off. */
  const tenFailures = async (name: string) => {
    let last;
    for (let i = 0; i < 10; i++) {
      last = await auth.login(name, `wrong-password-${i}`, `198.51.100.${100 + i}`);
      assert.equal(last.ok, false);
      clock.advance(last.ok ? 0 : (last.retryAfterMs ?? 0));
    }
    return last;
  };

  it('ten failures lock the account until an admin unlocks it; an unknown name answers alike', async () => {
    const u = await addUser('margarete');
    await tenFailures('margarete');
    assert.deepEqual(await auth.login('margarete', GOOD, IP), { ok: false, reason: 'locked' });
    clock.advance(24 * 60 * MIN);
    assert.deepEqual(await auth.login('margarete', GOOD, IP), { ok: false, reason: 'locked' });
    assert.equal((await auth.getUser(u.id)).locked, true);
    assert.equal(audit.filter((e) => e.action === 'user.lock' && e.target === u.id).length, 1);
    // The same for a name that does not exist: lockout tells nothing about which names exist.
    await tenFailures('ghost');
    assert.deepEqual(await auth.login('ghost', GOOD, IP), { ok: false, reason: 'locked' });

    await auth.unlockUser(SYSTEM, u.id);
    assert.equal((await auth.getUser(u.id)).locked, false);
    assert.equal((await auth.login('margarete', GOOD, IP)).ok, true);
  });

  it('a locked user answers locked only to the right password, and cannot use sessions', async () => {
    const u = await addUser('margarete');
    const s = await sessionOf('margarete');
    await auth.lockUser(SYSTEM, u.id);
    assert.equal(await auth.authenticate(s.session), undefined);
    assert.deepEqual(await auth.login('margarete', 'wrong-password', IP), {
      ok: false,
      reason: 'invalid',
      retryAfterMs: 0,
    });
    assert.deepEqual(await auth.login('margarete', GOOD, IP), { ok: false, reason: 'locked' });
  });

  it('sessions: a new id at every login; idle timeout restarts on touch; absolute timeout does not', async () => {
    await addUser('margarete');
    const a = await sessionOf('margarete');
    const b = await sessionOf('margarete');
    assert.notEqual(a.session, b.session);
    assert.notEqual(a.csrfToken, b.csrfToken);
    // Idle: 15 minutes without a touch ends it.
    clock.advance(15 * MIN - 1);
    assert.ok(await auth.authenticate(a.session));
    assert.equal(await auth.touch(a.session), true);
    clock.advance(15 * MIN - 1);
    assert.ok(await auth.authenticate(a.session));
    assert.equal(await auth.authenticate(b.session), undefined);
    assert.equal(await auth.touch(b.session), false);
    assert.equal(audit.filter((e) => e.action === 'session.expired').length, 1);
    // Absolute: touched every 10 minutes, it still ends 8 hours after login.
    while (clock.now() < T0 + 8 * 60 * MIN - 10 * MIN) {
      assert.equal(await auth.touch(a.session), true, new Date(clock.now()).toISOString());
      clock.advance(10 * MIN);
    }
    clock.advance(T0 + 8 * 60 * MIN - clock.now());
    assert.equal(await auth.authenticate(a.session), undefined);
  });

  it('CSRF token: only the one issued with the session, and only while it lives', async () => {
    await addUser('margarete');
    const a = await sessionOf('margarete');
    const b = await sessionOf('margarete');
    assert.equal(await auth.verifyCsrf(a.session, a.csrfToken), true);
    assert.equal(await auth.verifyCsrf(a.session, b.csrfToken), false);
    assert.equal(await auth.verifyCsrf(a.session, 'x'.repeat(1_000_000)), false);
    assert.equal(await auth.logout(a.session, IP), true);
    assert.equal(await auth.logout(a.session, IP), false);
    assert.equal(await auth.verifyCsrf(a.session, a.csrfToken), false);
    assert.equal(audit.filter((e) => e.action === 'logout').length, 1);
  });

  it('a password change ends the other sessions; a wrong old password changes nothing', async () => {
    const u = await addUser('margarete');
    const a = await sessionOf('margarete');
    const b = await sessionOf('margarete');
    assert.deepEqual(await auth.changePassword(u.id, 'not-it-at-all', 'Another good phrase'), {
      ok: false,
      reason: 'invalid',
      message: 'the current password is wrong',
    });
    assert.ok(await auth.authenticate(b.session));
    assert.equal((await auth.changePassword(u.id, GOOD, 'password1')).ok, false);
    assert.deepEqual(await auth.changePassword(u.id, GOOD, 'Another good phrase', { keepSessionId: a.session }), {
      ok: true,
    });
    assert.ok(await auth.authenticate(a.session));
    assert.equal(await auth.authenticate(b.session), undefined);
    assert.equal((await auth.login('margarete', GOOD, IP)).ok, false);
    assert.equal((await auth.login('margarete', 'Another good phrase', IP)).ok, true);
    // An admin's reset ends every session and asks for a change at next login.
    await auth.setPassword(SYSTEM, u.id, 'Reset by the admin');
    assert.equal(await auth.authenticate(a.session), undefined);
    assert.equal((await sessionOf('margarete', 'Reset by the admin')).mustChangePassword, true);
  });

  it('the built-in admin cannot be deleted, renamed or moved out of Administrator; others can be deleted', async () => {
    await assert.rejects(auth.deleteUser(SYSTEM, 'admin'), code('conflict'));
    await assert.rejects(auth.updateUser(SYSTEM, 'admin', { loginName: 'root' }), code('conflict'));
    await assert.rejects(auth.updateUser(SYSTEM, 'admin', { userGroup: 'viewer' }), code('conflict'));
    assert.equal((await auth.updateUser(SYSTEM, 'admin', { displayName: 'Chief' })).displayName, 'Chief');
    const u = await addUser('margarete');
    await auth.deleteUser(SYSTEM, u.id);
    await assert.rejects(auth.getUser(u.id), code('not-found'));
    await assert.rejects(auth.deleteUser(SYSTEM, u.id), code('not-found'));
  });

  it('login names are unique without regard to case; login works in any case', async () => {
    await addUser('Alice');
    await assert.rejects(addUser('ALICE'), code('conflict'));
    const b = await addUser('bob');
    await assert.rejects(auth.updateUser(SYSTEM, b.id, { loginName: 'alice' }), code('conflict'));
    assert.equal((await auth.login('aLiCe', GOOD, IP)).ok, true);
    await assert.rejects(
      auth.createUser(SYSTEM, { loginName: 'x', displayName: 'x', userGroup: 'viewer', environments: ['d'] }, 'x'),
      code('validation'),
    );
  });

  it('user groups: Administrator stays whole; a group in use cannot be deleted; nobody grants more than they hold', async () => {
    await assert.rejects(auth.deleteGroup(SYSTEM, 'administrator'), code('conflict'));
    await assert.rejects(
      auth.putGroup(SYSTEM, { id: 'administrator', name: 'Admins', permissions: ['system.restart'] }),
      code('conflict'),
    );
    await addUser('margarete', 'viewer');
    await assert.rejects(auth.deleteGroup(SYSTEM, 'viewer'), code('conflict'));
    await auth.deleteGroup(SYSTEM, 'technician');
    await assert.rejects(auth.deleteGroup(SYSTEM, 'technician'), code('not-found'));
    // A user editor who is no administrator cannot make anyone (themselves included) one.
    await auth.putGroup(SYSTEM, {
      id: 'user-admins',
      name: 'User admins',
      permissions: ['user-administration', 'administration.users.edit', 'administration.user-groups.edit'],
    });
    const ed = await addUser('editor', 'user-admins');
    const p = (await auth.authenticate((await sessionOf('editor')).session))!;
    await assert.rejects(auth.updateUser(p, ed.id, { userGroup: 'administrator' }), code('validation'));
    await assert.rejects(
      auth.putGroup(p, { id: 'user-admins', name: 'x', permissions: ['system.restart'] }),
      code('validation'),
    );
    await assert.rejects(auth.updateUser(p, ed.id, { environments: ['default', 'north'] }), code('validation'));
    assert.equal((await auth.updateUser(p, ed.id, { phone: '+45 1234' })).phone, '+45 1234');
  });

  it('group versions: 1 when created, +1 per change; a stale ifVersion is refused with 412, nothing written or logged', async () => {
    const night = { id: 'night', name: 'Night desk', permissions: ['operation.alarms.view'] };
    // 0: create only.
    const created = await auth.putGroup(SYSTEM, night, { ifVersion: 0 });
    assert.deepEqual(created, { group: { ...night, description: '', version: 1 }, created: true });
    await assert.rejects(
      auth.putGroup(SYSTEM, { ...night, name: 'Again' }, { ifVersion: 0 }),
      code('precondition-failed'),
    );
    assert.equal((await auth.putGroup(SYSTEM, { ...night, name: 'Night' }, { ifVersion: 1 })).group.version, 2);
    // Without ifVersion a write still counts (scripts and the CLI go on working).
    assert.equal((await auth.putGroup(SYSTEM, { ...night, name: 'Nights' })).group.version, 3);
    // Two admins read version 3; the second one's save is refused: the first one's permissions stay.
    audit = [];
    await auth.putGroup(SYSTEM, { ...night, permissions: [] }, { ifVersion: 3 });
    const err = await auth.putGroup(SYSTEM, { ...night, permissions: ['system.restart'] }, { ifVersion: 3 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof TocsinError && err.code === 'precondition-failed' && err.status === 412, String(err));
    assert.match(err.message, /version 4/);
    // The first admin's whole group (its name too), not the second one's permissions.
    assert.deepEqual(await auth.getGroup('night'), {
      ...night,
      description: '',
      permissions: [],
      version: 4,
    });
    assert.deepEqual(
      audit.map((e) => e.action),
      ['group.update'],
    );
    assert.equal((await auth.listGroups()).find((g) => g.id === 'night')?.version, 4);
    // Delete: a stale version is refused, the current one deletes.
    await assert.rejects(auth.deleteGroup(SYSTEM, 'night', { ifVersion: 3 }), code('precondition-failed'));
    await auth.deleteGroup(SYSTEM, 'night', { ifVersion: 4 });
    await assert.rejects(auth.getGroup('night'), code('not-found'));
  });

  it('user versions: every change adds one; a stale ifVersion is refused with 412 and nothing is written', async () => {
    const u = await addUser('margarete');
    assert.equal(u.version, 1);
    let v = 1;
    const expect = async (what: string) => assert.equal((await auth.getUser(u.id)).version, ++v, what);
    await auth.updateUser(SYSTEM, u.id, { displayName: 'Grete' });
    await expect('profile');
    await auth.setPassword(SYSTEM, u.id, 'Reset by the admin', { mustChangePassword: false });
    await expect('password set');
    assert.equal((await auth.changePassword(u.id, 'Reset by the admin', GOOD)).ok, true);
    await expect('password change');
    await auth.setPin(SYSTEM, u.id, '2468');
    await expect('PIN');
    await auth.lockUser(SYSTEM, u.id);
    await expect('lock');
    await auth.unlockUser(SYSTEM, u.id);
    await expect('unlock');
    // Stale: refused, the user as it was; the current version: written.
    const before = await auth.getUser(u.id);
    await assert.rejects(
      auth.updateUser(SYSTEM, u.id, { displayName: 'Stale' }, { ifVersion: v - 1 }),
      code('precondition-failed'),
    );
    await assert.rejects(auth.setPin(SYSTEM, u.id, null, { ifVersion: v - 1 }), code('precondition-failed'));
    await assert.rejects(auth.deleteUser(SYSTEM, u.id, { ifVersion: v - 1 }), code('precondition-failed'));
    assert.deepEqual(await auth.getUser(u.id), before);
    const after = await auth.updateUser(SYSTEM, u.id, { displayName: 'Fresh' }, { ifVersion: v });
    assert.deepEqual([after.displayName, after.version], ['Fresh', v + 1]);
    v += 1;
    await auth.erasePersonalData(SYSTEM, u.id);
    await expect('erase');
    await auth.deleteUser(SYSTEM, u.id, { ifVersion: v });
    await assert.rejects(auth.getUser(u.id), code('not-found'));
  });

  describe('API tokens', () => {
    let op: Principal;
    beforeEach(async () => {
      await addUser('olga', 'operator', ['default', 'north']);
      op = (await auth.authenticate((await sessionOf('olga')).session))!;
    });

    it('scope must be within the creator’s permissions and environments', async () => {
      await assert.rejects(
        auth.createToken(op, { name: 'x', permissions: ['system.restart'], environments: ['default'] }),
        (e: unknown) => code('validation')(e) && JSON.stringify((e as TocsinError).details).includes('/permissions/0'),
      );
      await assert.rejects(
        auth.createToken(op, { name: 'x', permissions: ['operation.alarms.view'], environments: ['south'] }),
        code('validation'),
      );
      const { token, info } = await auth.createToken(op, {
        name: 'web alarm',
        permissions: ['operation.alarms.trigger', 'operation.alarms.view'],
        environments: ['north'],
      });
      assert.match(token, /^tocsin_/);
      assert.equal(JSON.stringify(await auth.listTokens(op.userId)).includes(token), false);
      const p = (await auth.verifyToken(token))!;
      assert.equal(p.kind, 'token');
      assert.equal(p.tokenId, info.id);
      assert.deepEqual([...p.permissions].sort(), ['operation.alarms.trigger', 'operation.alarms.view']);
      assert.deepEqual(p.environments, ['north']);
      // A token cannot mint tokens.
      await assert.rejects(
        auth.createToken(p, { name: 'y', permissions: ['operation.alarms.view'], environments: ['north'] }),
        code('conflict'),
      );
    });

    it('a revoked or expired token is refused; a token shrinks with its owner’s rights', async () => {
      const a = await auth.createToken(op, {
        name: 'a',
        permissions: ['operation.alarms.trigger', 'operation.alarms.view'],
        environments: ['default'],
      });
      const b = await auth.createToken(op, {
        name: 'b',
        permissions: ['operation.alarms.view'],
        environments: ['default'],
        expiresAt: T0 + 60 * MIN,
      });
      assert.equal(await auth.revokeToken(op, a.info.id), true);
      assert.equal(await auth.revokeToken(op, a.info.id), false);
      assert.equal(await auth.verifyToken(a.token), undefined);
      assert.equal(await auth.verifyToken('tocsin_forged'), undefined);
      assert.equal(await auth.verifyToken('y'.repeat(5_000_000)), undefined);
      // The owner loses environment 'default': the token's scope follows (nothing left).
      await auth.updateUser(SYSTEM, op.userId, { environments: ['north'] });
      const p = (await auth.verifyToken(b.token))!;
      assert.deepEqual(p.environments, []);
      clock.advance(60 * MIN);
      assert.equal(await auth.verifyToken(b.token), undefined);
      assert.ok((await auth.getToken(a.info.id))!.revokedAt);
    });
  });

  it('erasure replaces personal data by a pseudonym, ends access, and spares the built-in admin', async () => {
    const u = await auth.createUser(
      SYSTEM,
      {
        loginName: 'margarete',
        displayName: 'Margarete Muster',
        phone: '+49 30 1',
        mobile: '+49 170 1',
        email: 'm@example.org',
        userGroup: 'operator',
        environments: ['default'],
      },
      GOOD,
      { pin: '1234', mustChangePassword: false },
    );
    assert.equal(await auth.verifyPin(u.id, '1234'), true);
    const s = await sessionOf('margarete');
    const p = (await auth.authenticate(s.session))!;
    const tok = await auth.createToken(p, {
      name: 't',
      permissions: ['operation.alarms.view'],
      environments: ['default'],
    });
    const { pseudonym } = await auth.erasePersonalData(SYSTEM, u.id);
    const after = await auth.getUser(u.id);
    assert.deepEqual(
      [after.loginName, after.displayName, after.phone, after.mobile, after.email, after.hasPin, after.erased],
      [pseudonym, pseudonym, null, null, null, false, true],
    );
    assert.equal(JSON.stringify(after).includes('Muster'), false);
    assert.equal(await auth.authenticate(s.session), undefined);
    assert.equal(await auth.verifyToken(tok.token), undefined);
    assert.equal(await auth.verifyPin(u.id, '1234'), false);
    assert.equal(JSON.stringify(audit.find((e) => e.action === 'user.erase')).includes('Muster'), false);
    await assert.rejects(auth.erasePersonalData(SYSTEM, 'admin'), code('conflict'));
    await assert.rejects(auth.updateUser(SYSTEM, u.id, { displayName: 'Back' }), code('conflict'));
  });
});
