// The identity API end to end on the real app: users (create, forced password change, admin
// reset, lock and unlock, erase, delete), user groups (create, update, in use, delete), the
// permission tree, and API tokens (created from a session only, the secret shown once, works
// as Bearer, revoked for good, others' tokens not confirmed). Versions: ETag on a user or group,
// If-Match refusing a stale edit with 412 (two admins never overwrite each other silently). No
// answer ever carries a hash.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PERMISSION_IDS } from '../../src/domain/permissions.ts';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
const answers: string[] = [];
const anonymous = { 'x-anonymous': '1' };

/** h.request, remembering every answer body (checked for hashes at the end). */
async function req(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const r = await h.request(method, path, body, headers);
  answers.push(r.text);
  return r;
}

async function login(loginName: string, password: string) {
  const r = await req('POST', '/api/v1/auth/login', { loginName, password }, anonymous);
  // Failures from this one address back off; wait them out (the virtual clock) so the next answer is not 429.
  if (r.status === 401) await h.advance(16 * 60_000);
  const cookie = (r.headers['set-cookie'] ?? '').split(';')[0]!;
  return { r, session: { cookie, 'x-csrf-token': (r.json?.csrfToken as string) ?? '' } };
}

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
  for (const text of answers) assert.ok(!text.includes('scrypt$'), `a hash leaked: ${text.slice(0, 300)}`);
});

const newUser = {
  loginName: 'Dora',
  displayName: 'Dora Nurse',
  phone: '+49 30 555',
  email: 'dora@example.org',
  userGroup: 'viewer',
  environments: ['default'],
};

describe('users', () => {
  let id: string;

  it('refuses a weak password at /password, then creates the user', async () => {
    const weak = await req('POST', '/api/v1/users', { ...newUser, password: 'dora' });
    assert.equal(weak.status, 422, weak.text);
    assert.equal(weak.headers['content-type'], 'application/problem+json');
    assert.equal(weak.json.errors[0].pointer, '/password');
    const extra = await req('POST', '/api/v1/users', { ...newUser, password: 'first-Passphrase-1', role: 'x' });
    assert.equal(extra.status, 422, 'unknown fields are refused');
    assert.equal((await req('GET', '/api/v1/users')).json.users.length, 1, 'nothing written');

    const r = await req('POST', '/api/v1/users', { ...newUser, password: 'first-Passphrase-1', pin: '1234' });
    assert.equal(r.status, 201, r.text);
    id = r.json.id;
    assert.equal(r.headers.location, `/api/v1/users/${id}`);
    assert.equal(r.json.loginName, 'Dora');
    assert.equal(r.json.hasPin, true);
    assert.equal(r.json.mustChangePassword, true);
    for (const k of ['passwordHash', 'pinHash', 'loginKey']) assert.ok(!(k in r.json), k);
    const taken = await req('POST', '/api/v1/users', { ...newUser, loginName: 'DORA', password: 'other-Passphrase-2' });
    assert.equal(taken.status, 409, 'login names are unique without regard to case');
    const list = await req('GET', '/api/v1/users');
    assert.deepEqual(list.json.users.map((u: { loginName: string }) => u.loginName).sort(), ['Dora', 'admin']);
    assert.equal((await req('GET', `/api/v1/users/${id}`)).json.displayName, 'Dora Nurse');
    assert.equal((await req('GET', '/api/v1/users/no-such-user')).status, 404);
    assert.equal((await req('GET', '/api/v1/users/..%2fetc')).status, 422);
  });

  it('the new user must change the password first', async () => {
    const { r, session } = await login('dora', 'first-Passphrase-1');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.mustChangePassword, true);
    const blocked = await req('GET', '/api/v1/permissions', undefined, session);
    assert.equal(blocked.status, 403);
    assert.match(blocked.json.detail, /change your password first/);
  });

  it('changes fields, and an admin resets the password', async () => {
    const patched = await req('PATCH', `/api/v1/users/${id}`, { displayName: 'Dora N.', phone: null, pin: null });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.displayName, 'Dora N.');
    assert.equal(patched.json.phone, null);
    assert.equal(patched.json.hasPin, false);
    const badGroup = await req('PATCH', `/api/v1/users/${id}`, { userGroup: 'no-such-group' });
    assert.equal(badGroup.status, 422, badGroup.text);

    const weak = await req('PUT', `/api/v1/users/${id}/password`, { password: 'admin' });
    assert.equal(weak.status, 422);
    assert.equal(weak.json.errors[0].pointer, '/password');
    const reset = await req('PUT', `/api/v1/users/${id}/password`, {
      password: 'reset-Passphrase-3',
      mustChangePassword: false,
    });
    assert.equal(reset.status, 204, reset.text);
    assert.equal((await login('dora', 'first-Passphrase-1')).r.status, 401, 'the old password is gone');
    const { r, session } = await login('dora', 'reset-Passphrase-3');
    assert.equal(r.status, 200);
    assert.equal(r.json.mustChangePassword, false);
    assert.equal((await req('GET', '/api/v1/permissions', undefined, session)).status, 200);
    // A viewer administers nobody.
    const denied = await req('GET', '/api/v1/users', undefined, session);
    assert.equal(denied.status, 403);
  });

  it('lock: the login fails with the generic 401; unlock lets it in again', async () => {
    const locked = await req('POST', `/api/v1/users/${id}/lock`);
    assert.equal(locked.status, 200, locked.text);
    assert.equal(locked.json.locked, true);
    const refused = await login('dora', 'reset-Passphrase-3');
    const unknown = await login('nobody-at-all', 'reset-Passphrase-3');
    assert.equal(refused.r.status, 401);
    assert.equal(refused.r.json.detail, unknown.r.json.detail, 'a locked account looks like a failed login');
    const unlocked = await req('POST', `/api/v1/users/${id}/unlock`);
    assert.equal(unlocked.json.locked, false);
    assert.equal((await login('dora', 'reset-Passphrase-3')).r.status, 200);
  });

  it('the built-in admin cannot be deleted; a user can', async () => {
    const admin = await req('DELETE', '/api/v1/users/admin');
    assert.equal(admin.status, 409, admin.text);
    assert.equal(admin.headers['content-type'], 'application/problem+json');
    assert.equal((await req('POST', '/api/v1/users/admin/erase')).status, 409);
    const r = await req('DELETE', `/api/v1/users/${id}`);
    assert.equal(r.status, 204, r.text);
    assert.equal((await req('GET', `/api/v1/users/${id}`)).status, 404);
    assert.equal((await req('DELETE', `/api/v1/users/${id}`)).status, 404);
    assert.equal((await login('dora', 'reset-Passphrase-3')).r.status, 401);
  });

  it('erase replaces the personal data by a pseudonym and is in the access log', async () => {
    const c = await req('POST', '/api/v1/users', {
      ...newUser,
      loginName: 'eve',
      displayName: 'Eve Example',
      password: 'eve-Passphrase-44',
      mustChangePassword: false,
    });
    assert.equal(c.status, 201, c.text);
    const r = await req('POST', `/api/v1/users/${c.json.id}/erase`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.pseudonym, /^erased-[0-9a-f]{12}$/);
    const user = (await req('GET', `/api/v1/users/${c.json.id}`)).json;
    assert.equal(user.displayName, r.json.pseudonym);
    assert.equal(user.loginName, r.json.pseudonym);
    assert.deepEqual([user.phone, user.email, user.erased, user.locked], [null, null, true, true]);
    assert.ok(!JSON.stringify(user).includes('Eve'));
    assert.equal((await login('eve', 'eve-Passphrase-44')).r.status, 401);
    const log = await h.tocsin.store.accessLog.list({ limit: 10_000 });
    const entry = log.find((e) => ['user.erase', 'personal-data.erase'].includes(e.action) && e.target === c.json.id);
    assert.ok(entry, 'the erase is logged');
    assert.equal(entry.actor, 'admin');
    assert.equal(log.filter((e) => e.action === 'user.erase' && e.target === c.json.id).length, 1, 'logged once');
    const changed = await req('PATCH', `/api/v1/users/${c.json.id}`, { displayName: 'Eve again' });
    assert.equal(changed.status, 409, 'an erased user is not changed');
  });
});

describe('user groups', () => {
  it('create, update, in use → 409, delete', async () => {
    const group = { name: 'Night desk', permissions: ['operation.alarms.view'] };
    const created = await req('PUT', '/api/v1/user-groups/night-desk', group);
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json, { id: 'night-desk', description: '', ...group, version: 1 });
    const updated = await req('PUT', '/api/v1/user-groups/night-desk', {
      ...group,
      id: 'night-desk',
      permissions: ['operation.alarms.view', 'operation.protocol'],
    });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual((await req('GET', '/api/v1/user-groups/night-desk')).json.permissions, [
      'operation.alarms.view',
      'operation.protocol',
    ]);
    const other = await req('PUT', '/api/v1/user-groups/night-desk', { ...group, id: 'elsewhere' });
    assert.equal(other.status, 422);
    const unknown = await req('PUT', '/api/v1/user-groups/night-desk', { ...group, permissions: ['fly'] });
    assert.equal(unknown.status, 422);
    const ids = (await req('GET', '/api/v1/user-groups')).json.groups.map((g: { id: string }) => g.id);
    assert.ok(ids.includes('night-desk') && ids.includes('administrator'));

    const member = await req('POST', '/api/v1/users', {
      ...newUser,
      loginName: 'frank',
      userGroup: 'night-desk',
      password: 'frank-Passphrase-5',
    });
    assert.equal(member.status, 201, member.text);
    const inUse = await req('DELETE', '/api/v1/user-groups/night-desk');
    assert.equal(inUse.status, 409, inUse.text);
    assert.equal((await req('DELETE', '/api/v1/user-groups/administrator')).status, 409);
    const reduced = await req('PUT', '/api/v1/user-groups/administrator', { name: 'Administrator', permissions: [] });
    assert.equal(reduced.status, 409);
    assert.equal((await req('DELETE', `/api/v1/users/${member.json.id}`)).status, 204);
    assert.equal((await req('DELETE', '/api/v1/user-groups/night-desk')).status, 204);
    assert.equal((await req('GET', '/api/v1/user-groups/night-desk')).status, 404);
  });
});

describe('versions: ETag and If-Match', () => {
  const problemOf = (r: { status: number; headers: Record<string, string>; json: { type?: string } }) => ({
    status: r.status,
    contentType: r.headers['content-type'],
    type: r.json.type,
  });
  const PRECONDITION = {
    status: 412,
    contentType: 'application/problem+json',
    type: 'urn:tocsin:problem:precondition-failed',
  };
  const BAD = { status: 400, contentType: 'application/problem+json', type: 'urn:tocsin:problem:bad-request' };

  it('a user group: ETag on GET and PUT; a stale If-Match is 412 and changes nothing; "0" creates only', async () => {
    const url = '/api/v1/user-groups/day-desk';
    const group = { name: 'Day desk', permissions: ['operation.alarms.view'] };
    const created = await req('PUT', url, group, { 'if-match': '"0"' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.etag, '"1"');
    const again = await req('PUT', url, { ...group, name: 'Another' }, { 'if-match': '"0"' });
    assert.deepEqual(problemOf(again), PRECONDITION, 'it exists now');
    const read = await req('GET', url);
    assert.equal(read.headers.etag, '"1"');
    assert.equal(read.json.version, 1);
    // Admin A saves with the version read; admin B, who read the same version, is refused.
    const a = await req('PUT', url, { ...group, permissions: [] }, { 'if-match': read.headers.etag! });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.headers.etag, '"2"');
    assert.equal(a.json.version, 2);
    const b = await req(
      'PUT',
      url,
      { ...group, permissions: ['operation.alarms.view', 'operation.protocol'] },
      { 'if-match': read.headers.etag! },
    );
    assert.deepEqual(problemOf(b), PRECONDITION, b.text);
    assert.match(b.json.detail, /version 2/);
    const now = await req('GET', url);
    assert.deepEqual([now.headers.etag, now.json.permissions], ['"2"', []], 'B changed nothing');
    // Malformed If-Match: 400, nothing written; what GET answered may be sent back (its version is ignored).
    for (const bad of ['2', 'W/"2"', '"2", "3"', '"-1"', '*'])
      assert.deepEqual(problemOf(await req('PUT', url, group, { 'if-match': bad })), BAD, bad);
    assert.equal((await req('GET', url)).headers.etag, '"2"');
    const roundTrip = await req('PUT', url, { ...now.json, name: 'Day' }, { 'if-match': '"2"' });
    assert.equal(roundTrip.status, 200, roundTrip.text);
    assert.equal(roundTrip.headers.etag, '"3"');
    // Without If-Match, as before: written, one more.
    assert.equal((await req('PUT', url, group)).headers.etag, '"4"');
    // DELETE: malformed 400, stale 412, the current version deletes.
    assert.deepEqual(problemOf(await req('DELETE', url, undefined, { 'if-match': 'x' })), BAD);
    assert.deepEqual(problemOf(await req('DELETE', url, undefined, { 'if-match': '"3"' })), PRECONDITION);
    assert.equal((await req('GET', url)).status, 200, 'still there');
    assert.equal((await req('DELETE', url, undefined, { 'if-match': '"4"' })).status, 204);
    assert.equal((await req('GET', url)).status, 404);
  });

  it('a user: ETag on GET and PATCH; a stale If-Match is 412 and changes nothing; malformed is 400', async () => {
    const c = await req('POST', '/api/v1/users', {
      ...newUser,
      loginName: 'gina',
      displayName: 'Gina',
      password: 'gina-Passphrase-6',
    });
    assert.equal(c.status, 201, c.text);
    const url = `/api/v1/users/${c.json.id}`;
    const read = await req('GET', url);
    assert.equal(read.headers.etag, '"1"');
    const a = await req('PATCH', url, { displayName: 'Gina A.' }, { 'if-match': '"1"' });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual([a.headers.etag, a.json.version], ['"2"', 2]);
    const b = await req('PATCH', url, { displayName: 'Gina B.', pin: '4321' }, { 'if-match': '"1"' });
    assert.deepEqual(problemOf(b), PRECONDITION, b.text);
    const pinOnly = await req('PATCH', url, { pin: '4321' }, { 'if-match': '"1"' });
    assert.deepEqual(problemOf(pinOnly), PRECONDITION, pinOnly.text);
    const now = await req('GET', url);
    assert.deepEqual([now.json.displayName, now.json.hasPin, now.headers.etag], ['Gina A.', false, '"2"']);
    assert.deepEqual(problemOf(await req('PATCH', url, { displayName: 'x' }, { 'if-match': 'two' })), BAD);
    // An admin action (lock) is a change too: the version read before it is stale now.
    assert.equal((await req('POST', `${url}/lock`)).json.version, 3);
    assert.deepEqual(
      problemOf(await req('PATCH', url, { displayName: 'Gina C.' }, { 'if-match': '"2"' })),
      PRECONDITION,
    );
    assert.deepEqual(problemOf(await req('DELETE', url, undefined, { 'if-match': '"2"' })), PRECONDITION);
    assert.equal((await req('GET', url)).json.displayName, 'Gina A.');
    assert.equal((await req('DELETE', url, undefined, { 'if-match': '"3"' })).status, 204);
  });
});

describe('permissions', () => {
  it('the tree with labels, every permission once', async () => {
    const r = await req('GET', '/api/v1/permissions');
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.permissions.map((p: { id: string }) => p.id),
      [...PERMISSION_IDS],
    );
    assert.deepEqual(
      r.json.tree.map((n: { label: string }) => n.label),
      ['General', 'Operation', 'Administration', 'System'],
    );
    const leaves: string[] = [];
    const walk = (n: { id?: string; children?: unknown[] }) =>
      n.id ? leaves.push(n.id) : n.children!.forEach((c) => walk(c as typeof n));
    r.json.tree.forEach(walk);
    assert.deepEqual(leaves.sort(), [...PERMISSION_IDS].sort());
    const operation = r.json.tree[1];
    const alarms = operation.children.find((c: { label: string }) => c.label === 'Alarms');
    assert.ok(alarms.children.some((c: { id: string; label: string }) => c.label === 'Trigger alarm'));
  });
});

describe('API tokens', () => {
  it('created from a session; the secret works as Bearer, is listed never, and stops at revocation', async () => {
    const { r, session } = await login('admin', ADMIN_PASSWORD);
    assert.equal(r.status, 200, r.text);
    const body = { name: 'integration', permissions: ['operation.alarms.view'], environments: ['default'] };
    const noCsrf = await req('POST', '/api/v1/tokens', body, { cookie: session.cookie });
    assert.equal(noCsrf.status, 403);
    const created = await req('POST', '/api/v1/tokens', body, session);
    assert.equal(created.status, 201, created.text);
    const secret: string = created.json.token;
    assert.match(secret, /^tocsin_/);
    assert.equal(created.json.ownerId, 'admin');

    const bearer = { authorization: `Bearer ${secret}` };
    assert.equal((await req('GET', '/api/v1/alarms', undefined, bearer)).status, 200);
    assert.equal((await req('GET', '/api/v1/users', undefined, bearer)).status, 403, 'outside its scope');
    const own = await req('GET', '/api/v1/tokens', undefined, bearer);
    assert.equal(own.status, 200);
    const listed = await req('GET', '/api/v1/tokens', undefined, session);
    assert.ok(listed.json.tokens.some((t: { id: string }) => t.id === created.json.id));
    for (const list of [own, listed]) {
      assert.ok(!list.text.includes(secret), 'the secret is shown once');
      assert.ok(!list.text.includes('tokenHash'));
    }

    const minted = await req('POST', '/api/v1/tokens', body, { authorization: `Bearer ${h.token}` });
    assert.equal(minted.status, 409, minted.text);
    assert.match(minted.json.detail, /session/);
    assert.equal(minted.headers['content-type'], 'application/problem+json');

    const revoked = await req('DELETE', `/api/v1/tokens/${created.json.id}`, undefined, session);
    assert.equal(revoked.status, 204, revoked.text);
    const after = await req('GET', '/api/v1/alarms', undefined, bearer);
    assert.equal(after.status, 401);
    const info = (await req('GET', '/api/v1/tokens', undefined, session)).json.tokens.find(
      (t: { id: string }) => t.id === created.json.id,
    );
    assert.equal(typeof info.revokedAt, 'number');
    const log = await h.tocsin.store.accessLog.list({ limit: 10_000, action: 'token.*' });
    assert.deepEqual(
      log.filter((e) => e.target === created.json.id).map((e) => e.action),
      ['token.create', 'token.revoke'],
    );
  });

  it('someone else’s token is not found, not forbidden', async () => {
    const u = await req('POST', '/api/v1/users', {
      ...newUser,
      loginName: 'gina',
      userGroup: 'operator',
      password: 'gina-Passphrase-6',
      mustChangePassword: false,
    });
    assert.equal(u.status, 201, u.text);
    const gina = await login('gina', 'gina-Passphrase-6');
    const admin = await login('admin', ADMIN_PASSWORD);
    const body = { name: 'mine', permissions: ['operation.alarms.view'], environments: ['default'] };
    const adminToken = await req('POST', '/api/v1/tokens', body, admin.session);
    const ginaToken = await req('POST', '/api/v1/tokens', body, gina.session);
    assert.equal(ginaToken.status, 201, ginaToken.text);
    // The built-in admin holds every environment (`*`); gina only `default`.
    const wide = await req('POST', '/api/v1/tokens', { ...body, environments: ['elsewhere'] }, gina.session);
    assert.equal(wide.status, 422, 'a scope beyond the creator’s');
    assert.equal(wide.json.errors[0].pointer, '/environments/0', wide.text);
    const seen = (await req('GET', '/api/v1/tokens', undefined, gina.session)).json.tokens;
    assert.deepEqual(
      seen.map((t: { id: string }) => t.id),
      [ginaToken.json.id],
      'only her own',
    );
    const other = await req('DELETE', `/api/v1/tokens/${adminToken.json.id}`, undefined, gina.session);
    const none = await req('DELETE', '/api/v1/tokens/no-such-token', undefined, gina.session);
    assert.equal(other.status, 404);
    assert.equal(none.status, 404);
    assert.equal(other.json.detail.replace(adminToken.json.id, 'X'), none.json.detail.replace('no-such-token', 'X'));
    // The admin (administration.users.edit) sees and revokes hers.
    const all = (await req('GET', '/api/v1/tokens', undefined, admin.session)).json.tokens;
    assert.ok(all.some((t: { id: string }) => t.id === ginaToken.json.id));
    assert.equal((await req('DELETE', `/api/v1/tokens/${ginaToken.json.id}`)).status, 204);
    assert.equal(
      (await req('GET', '/api/v1/alarms', undefined, { authorization: `Bearer ${ginaToken.json.token}` })).status,
      401,
    );
  });
});
