// Deny by default, proven over every route: the routes the Koa routers mount are exactly the
// routes src/http/route-access.ts declares; then every route is driven under an API token
// holding one permission, for every permission, and answers 403 unless that permission (or
// mere authentication) is what it declares — and 401 with no credentials at all. Denials are
// written to the access log. A session cookie needs its CSRF token for changes, and a user
// who must change the password can do nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Router from '@koa/router';
import { PERMISSION_IDS } from '../../src/domain/permissions.ts';
import { grantingPermissions, ROUTE_ACCESS } from '../../src/http/route-access.ts';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

function mountedRoutes(): string[] {
  const routers = (h.tocsin.app.middleware as unknown as { router?: Router }[]).flatMap((m) =>
    m.router ? [m.router] : [],
  );
  return routers
    .flatMap((r) => r.stack.flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${l.path}`)))
    .sort();
}

/** A concrete URL for a route template (ids that exist nowhere: the answer is then 404/422, never a change). */
const urlOf = (path: string) => path.replace(':id', 'no-such-id').replace(':version', '1').replace(':member', 'nobody');

const anonymous = { 'x-anonymous': '1' };

describe('route access: deny by default', () => {
  it('every mounted route declares its access, and every declaration is a mounted route', () => {
    assert.deepEqual(mountedRoutes(), Object.keys(ROUTE_ACCESS).sort());
  });

  it('without credentials every non-public route answers 401', async () => {
    for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
      if (access.kind === 'public') continue;
      const [method, path] = key.split(' ') as [string, string];
      const r = await h.request(method, urlOf(path), method === 'GET' ? undefined : {}, anonymous);
      assert.equal(r.status, 401, `${key}: ${r.text}`);
      assert.equal(r.headers['content-type'], 'application/problem+json');
      assert.match(r.headers['www-authenticate'] ?? '', /^Bearer/);
    }
  });

  it('under a token holding one permission, every route answers 403 unless it declares that permission', async () => {
    const admin = (await h.tocsin.store.identity.findUserByLoginKey('admin'))!;
    const deniedBefore = (await h.tocsin.store.accessLog.list({ limit: 100_000, action: 'permission.denied' })).length;
    let denied = 0;
    for (const permission of PERMISSION_IDS) {
      const { token } = await h.tocsin.auth.issueToken(admin.id, {
        name: `only-${permission}`,
        permissions: [permission],
        environments: admin.environments,
      });
      for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
        const [method, path] = key.split(' ') as [string, string];
        // Logging out would end nothing here (a token has no session), but keep the loop side-effect free.
        const r = await h.request(method, urlOf(path), method === 'GET' ? undefined : {}, {
          authorization: `Bearer ${token}`,
        });
        const granting = grantingPermissions(access);
        const allowed = granting.length === 0 || granting.includes(permission);
        if (allowed) {
          assert.ok(r.status !== 401 && r.status !== 403, `${permission} → ${key}: ${r.status} ${r.text}`);
        } else {
          assert.equal(r.status, 403, `${permission} → ${key}: ${r.text}`);
          assert.match(
            r.json.detail,
            new RegExp(`needs the permission ${granting.map((p) => `'${p}'`).join(' or ')}$`),
          );
          denied++;
        }
      }
    }
    const logged = (await h.tocsin.store.accessLog.list({ limit: 100_000, action: 'permission.denied' })).length;
    assert.equal(logged - deniedBefore, denied, 'every denial is in the access log');
  });
});

describe('sessions', () => {
  it('a cookie session needs its CSRF token for changes, not for reads', async () => {
    const login = await h.request(
      'POST',
      '/api/v1/auth/login',
      { loginName: 'ADMIN', password: ADMIN_PASSWORD },
      anonymous,
    );
    assert.equal(login.status, 200, login.text);
    const setCookie = login.headers['set-cookie'] ?? '';
    assert.match(setCookie, /tocsin_session=[^;]+; path=\/; samesite=lax; httponly/i);
    const cookie = setCookie.split(';')[0]!;
    const me = await h.request('GET', '/api/v1/auth/me', undefined, { cookie });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.loginName, 'admin');
    const body = { type: 'generic', text: 'CSRF test' };
    const without = await h.request('POST', '/api/v1/alarms', body, { cookie });
    assert.equal(without.status, 403, without.text);
    assert.match(without.json.detail, /X-CSRF-Token/);
    const wrong = await h.request('POST', '/api/v1/alarms', body, { cookie, 'x-csrf-token': 'guess' });
    assert.equal(wrong.status, 403);
    const ok = await h.request('POST', '/api/v1/alarms', body, { cookie, 'x-csrf-token': login.json.csrfToken });
    assert.equal(ok.status, 201, ok.text);
    const out = await h.request('POST', '/api/v1/auth/logout', {}, { cookie, 'x-csrf-token': login.json.csrfToken });
    assert.equal(out.status, 204, out.text);
    assert.equal((await h.request('GET', '/api/v1/auth/me', undefined, { cookie })).status, 401, 'the session ended');
  });

  it('one answer for an unknown name and a wrong password, and both are logged', async () => {
    const a = await h.request(
      'POST',
      '/api/v1/auth/login',
      { loginName: 'nobody', password: 'x'.repeat(12) },
      anonymous,
    );
    const b = await h.request(
      'POST',
      '/api/v1/auth/login',
      { loginName: 'admin', password: 'x'.repeat(12) },
      anonymous,
    );
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.json.detail, b.json.detail);
    const failures = await h.tocsin.store.accessLog.list({ limit: 1000, action: 'login' });
    assert.ok(failures.filter((e) => e.outcome === 'failure').length >= 2);
    const big = await h.request(
      'POST',
      '/api/v1/auth/login',
      { loginName: 'admin', password: 'x'.repeat(2000) },
      anonymous,
    );
    assert.equal(big.status, 422, 'an oversized password is refused before hashing');
  });

  it('a user who must change the password can only change it, see itself or log out', async () => {
    await h.tocsin.auth.createUser(
      SYSTEM,
      {
        loginName: 'newbie',
        displayName: 'New Operator',
        userGroup: 'operator',
        environments: ['default'],
        language: 'EN',
      },
      'first-Password-42',
      { mustChangePassword: true },
    );
    const login = await h.request(
      'POST',
      '/api/v1/auth/login',
      { loginName: 'newbie', password: 'first-Password-42' },
      anonymous,
    );
    assert.equal(login.status, 200, login.text);
    assert.equal(login.json.mustChangePassword, true);
    const cookie = (login.headers['set-cookie'] ?? '').split(';')[0]!;
    const csrf = { cookie, 'x-csrf-token': login.json.csrfToken };
    const blocked = await h.request('GET', '/api/v1/alarms', undefined, { cookie });
    assert.equal(blocked.status, 403);
    assert.match(blocked.json.detail, /change your password first/);
    const weak = await h.request(
      'POST',
      '/api/v1/auth/password',
      { oldPassword: 'first-Password-42', newPassword: 'newbie' },
      csrf,
    );
    assert.equal(weak.status, 422, weak.text);
    assert.equal(weak.json.errors[0].pointer, '/newPassword');
    const changed = await h.request(
      'POST',
      '/api/v1/auth/password',
      { oldPassword: 'first-Password-42', newPassword: 'second-Password-43' },
      csrf,
    );
    assert.equal(changed.status, 204, changed.text);
    assert.equal((await h.request('GET', '/api/v1/alarms', undefined, { cookie })).status, 200, 'allowed now');
    // An operator may not change the configuration.
    const config = await h.request('GET', '/api/v1/config/groups', undefined, { cookie });
    assert.equal(config.status, 403);
  });
});
