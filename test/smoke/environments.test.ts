// Environments are separate (issue 4, item 6): a user of environment A who holds every
// permission drives every route against the objects of environment B — its alarm, plan,
// configuration items, user, API token and access-log entries — and can neither read nor change
// any of them. Every answer is checked for B's secret texts; every list for B's ids; B's state is
// dumped (as the built-in admin, who holds `*`) before and after, and must not have changed.
// A route the table below does not classify fails the test, so a new route must say how it is
// scoped. A control drives the same calls against A's own objects, so the test can fail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KIND_SEGMENT, CONFIG_KINDS } from '../../src/domain/config-model.ts';
import { PERMISSION_IDS } from '../../src/domain/permissions.ts';
import { ROUTE_ACCESS } from '../../src/http/route-access.ts';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { startHarness, type Harness } from '../support/harness.ts';

/** In every text of B's objects; never in a request of the sweep. */
const SECRET = 'SECRETB';

let h: Harness;
let userA: { id: string; token: string };
let userB: { id: string; tokenId: string };
let escalate: Record<string, unknown>;

const ok = (r: { status: number; text: string }, what: string) => assert.ok(r.status < 300, `${what}: ${r.text}`);

/** The built-in escalation with this environment's group in both levels (plans see only their environment's groups). */
const planOf = (s: string) =>
  JSON.parse(JSON.stringify({ ...escalate, id: `plan-${s}` }).replace(/"group":"[AB]"/g, `"group":"group-${s}"`));

/** Objects of one environment, all ids ending in the environment's suffix (`za`, `zb`). */
async function populate(env: string, s: string, secret: string) {
  const put = async (seg: string, id: string, body: unknown) =>
    ok(await h.request('PUT', `/api/v1/config/${seg}/${id}`, body), `${seg}/${id}`);
  await put('environments', env, { name: `${secret} environment` });
  await put('profiles', `profile-${s}`, { name: `${secret} profile`, environment: env });
  await put('contacts', `contact-${s}`, { name: `${secret} contact`, environment: env, email: `${s}@example.org` });
  await put('groups', `group-${s}`, {
    name: `${secret} group`,
    environment: env,
    presence: true,
    members: [{ kind: 'contact', id: `contact-${s}` }],
  });
  ok(await h.request('POST', '/api/v1/plans', { plan: planOf(s), environment: env }), 'plan');
  await put('alarm-types', `type-${s}`, {
    name: `${secret} type`,
    environment: env,
    priority: 2,
    plan: `plan-${s}@1`,
    profile: `profile-${s}`,
    params: { levelTimeoutMs: 60_000, rounds: 1 },
  });
  await put('web-templates', `template-${s}`, {
    name: `${secret} template`,
    environment: env,
    alarmType: `type-${s}`,
    text: `${secret} template text`,
  });
  ok(
    await h.request('POST', '/api/v1/alarms', { type: `type-${s}`, text: `${secret} alarm`, id: `alarm-${s}` }),
    'alarm',
  );
  const u = await h.request('POST', '/api/v1/users', {
    loginName: `user-${s}`,
    displayName: `${secret} person`,
    email: `person-${s}@example.org`,
    userGroup: 'administrator',
    environments: [env],
    password: `${s}-Passphrase-42-long`,
    mustChangePassword: false,
  });
  ok(u, 'user');
  const { token, info } = await h.tocsin.auth.issueToken(u.json.id, {
    name: `token-${s}`,
    permissions: [...PERMISSION_IDS],
    environments: [env],
  });
  return { id: u.json.id as string, token, tokenId: info.id };
}

before(async () => {
  h = await startHarness();
  escalate = (await h.request('GET', '/api/v1/plans/escalate/versions/1')).json.definition;
  const a = await populate('ea', 'za', 'visible-a');
  const b = await populate('eb', 'zb', SECRET);
  // Someone present in each group, for a cancel-all of presences to leave B's alone.
  for (const s of ['za', 'zb'])
    ok(await h.request('PUT', `/api/v1/config/groups/group-${s}/presence/contact:contact-${s}`, {}), `presence ${s}`);
  userA = { id: a.id, token: a.token };
  userB = { id: b.id, tokenId: b.tokenId };
});
after(async () => {
  await h.stop();
});

const asA = (method: string, path: string, body?: unknown) =>
  h.request(method, path, body, { authorization: `Bearer ${userA.token}` });

/** Everything of B, read as the built-in admin (every environment). */
async function dumpB() {
  const get = async (path: string) => {
    const r = await h.request('GET', path);
    return { status: r.status, body: r.json };
  };
  return {
    alarm: await get('/api/v1/alarms/alarm-zb'),
    protocol: await get('/api/v1/alarms/alarm-zb/protocol'),
    plans: await get('/api/v1/plans'),
    config: await Promise.all(CONFIG_KINDS.map((k) => get(`/api/v1/config/${KIND_SEGMENT[k]}`))),
    presence: await get('/api/v1/config/groups/group-zb/presence'),
    user: await get(`/api/v1/users/${userB.id}`),
    tokens: (await get('/api/v1/tokens')).body.tokens.filter((t: { ownerId: string }) => t.ownerId === userB.id),
  };
}

const B_ID: Record<string, string> = {
  environments: 'eb',
  profiles: 'profile-zb',
  groups: 'group-zb',
  contacts: 'contact-zb',
  'alarm-types': 'type-zb',
  'web-templates': 'template-zb',
};

interface Call {
  readonly path: string;
  readonly body?: unknown;
}

/**
 * How each route is driven against B. `list`: answers 200, without any of B's ids. `object`: a
 * call on one of B's objects, refused (403, 404, 409 or 422). `global`: not environment-scoped
 * (the caller's own session, the permission tree, user groups as permission sets, server-wide
 * figures, the API description), named here so that every route is classified.
 */
function classify(key: string): { kind: 'list' | 'object'; calls: Call[] } | { kind: 'global' } {
  const [method, path] = key.split(' ') as [string, string];
  if (
    path.startsWith('/api/v1/auth/') ||
    path.startsWith('/api/v1/user-groups') ||
    ['/api/v1/permissions', '/metrics', '/api/v1/schemas/plan.json', '/api/v1/openapi.json'].includes(path) ||
    // This node's interfaces, metrics and restarts are server-wide (system-routes.ts).
    ['/api/v1/system/interfaces', '/api/v1/system/monitor', '/api/v1/system/restart'].includes(path) ||
    // A stream that never ends; test/smoke/alarm-events.test.ts proves it sends nothing of B.
    key === 'GET /api/v1/alarms/events' ||
    ROUTE_ACCESS[key]!.kind === 'public'
  )
    return { kind: 'global' };
  const plan = planOf('zb');
  const planUsingB = { ...planOf('zb'), id: 'plan-new' };
  const planOfA = planOf('za');
  const calls: Record<string, Call[]> = {
    'GET /api/v1/alarms': [{ path: '/api/v1/alarms' }, { path: '/api/v1/alarms?status=active' }],
    'POST /api/v1/alarms': [{ path: '/api/v1/alarms', body: { type: 'type-zb', text: 'x' } }],
    'GET /api/v1/alarms/:id': [{ path: '/api/v1/alarms/alarm-zb' }],
    'GET /api/v1/alarms/:id/protocol': [{ path: '/api/v1/alarms/alarm-zb/protocol' }],
    'GET /api/v1/alarms/:id/replay': [{ path: '/api/v1/alarms/alarm-zb/replay' }],
    'GET /api/v1/alarms/:id/plan': [{ path: '/api/v1/alarms/alarm-zb/plan' }],
    // B's alarm under a shared plan, and A's alarm under B's plan.
    'POST /api/v1/replay/what-if': [
      { path: '/api/v1/replay/what-if', body: { plan: 'escalate@1', alarms: ['alarm-zb'] } },
      { path: '/api/v1/replay/what-if', body: { plan: 'escalate@1', alarms: ['alarm-za', 'alarm-zb'] } },
      { path: '/api/v1/replay/what-if', body: { plan: 'plan-zb@1', alarms: ['alarm-za'] } },
    ],
    'POST /api/v1/alarms/:id/responses': [
      { path: '/api/v1/alarms/alarm-zb/responses', body: { response: 'accept', by: 'user-za' } },
    ],
    'POST /api/v1/alarms/:id/signals': [
      { path: '/api/v1/alarms/alarm-zb/signals', body: { signal: 'PRESENCE', by: 'user-za' } },
    ],
    'POST /api/v1/alarms/:id/cancel': [{ path: '/api/v1/alarms/alarm-zb/cancel', body: { by: 'user-za' } }],
    // B's alarm, and A's alarm forwarded to B's user, group and contact.
    'POST /api/v1/alarms/:id/forward': [
      { path: '/api/v1/alarms/alarm-zb/forward', body: { to: 'user-za' } },
      { path: '/api/v1/alarms/alarm-za/forward', body: { to: 'user-zb' } },
      { path: '/api/v1/alarms/alarm-za/forward', body: { to: 'group:group-zb' } },
      { path: '/api/v1/alarms/alarm-za/forward', body: { to: 'contact:contact-zb' } },
    ],
    'GET /api/v1/forward-targets': [{ path: '/api/v1/forward-targets' }],
    // Answers counts (a list of nothing of B): B's member stays logged in (dumpB). Alarms are not
    // cancelled here, so the control below still has A's alarm; test/smoke/operation-api.test.ts
    // proves cancel-all cancels only the caller's environments' alarms.
    'POST /api/v1/alarms/cancel-all': [{ path: '/api/v1/alarms/cancel-all', body: { alarms: false, presences: true } }],
    'GET /api/v1/contacts': [{ path: '/api/v1/contacts' }],
    'GET /api/v1/plans': [{ path: '/api/v1/plans' }],
    'POST /api/v1/plans': [
      { path: '/api/v1/plans', body: { plan } },
      { path: '/api/v1/plans', body: { plan, environment: 'eb' } },
      { path: '/api/v1/plans', body: { plan: { ...planOfA, id: 'plan-new' }, environment: 'eb' } },
      { path: '/api/v1/plans', body: { plan: planUsingB, environment: 'ea' } },
    ],
    'GET /api/v1/plans/:id/versions/:version': [{ path: '/api/v1/plans/plan-zb/versions/1' }],
    'GET /api/v1/plans/:id/diff': [{ path: '/api/v1/plans/plan-zb/diff?from=1&to=1' }],
    'POST /api/v1/plans/:id/versions/:version/disable': [
      { path: '/api/v1/plans/plan-zb/versions/1/disable', body: {} },
    ],
    'POST /api/v1/plans/:id/versions/:version/enable': [{ path: '/api/v1/plans/plan-zb/versions/1/enable', body: {} }],
    'POST /api/v1/plans/validate': [{ path: '/api/v1/plans/validate', body: { plan: planUsingB } }],
    'POST /api/v1/plans/analyse': [
      { path: '/api/v1/plans/analyse', body: { plan: planOfA, alarmType: 'type-zb' } },
      { path: '/api/v1/plans/analyse', body: { plan: planUsingB } },
    ],
    'POST /api/v1/plans/simulate': [
      { path: '/api/v1/plans/simulate', body: { plan: planOfA, alarmType: 'type-zb', scenario: { steps: [] } } },
    ],
    'GET /api/v1/config/groups/:id/presence': [{ path: '/api/v1/config/groups/group-zb/presence' }],
    'PUT /api/v1/config/groups/:id/presence/:member': [
      { path: '/api/v1/config/groups/group-zb/presence/contact:contact-zb', body: {} },
    ],
    'DELETE /api/v1/config/groups/:id/presence/:member': [
      { path: '/api/v1/config/groups/group-zb/presence/contact:contact-zb' },
    ],
    'GET /api/v1/config/changes': [{ path: '/api/v1/config/changes?limit=1000' }],
    'GET /api/v1/config/changes/verify': [{ path: '/api/v1/config/changes/verify' }],
    'GET /api/v1/config/problems': [{ path: '/api/v1/config/problems' }],
    'GET /api/v1/users': [{ path: '/api/v1/users' }],
    'POST /api/v1/users': [
      {
        path: '/api/v1/users',
        body: {
          loginName: 'intruder',
          displayName: 'Intruder',
          userGroup: 'viewer',
          environments: ['eb'],
          password: 'intruder-Passphrase-7',
        },
      },
    ],
    'GET /api/v1/users/:id': [{ path: `/api/v1/users/${userB.id}` }],
    'PATCH /api/v1/users/:id': [{ path: `/api/v1/users/${userB.id}`, body: { displayName: 'renamed' } }],
    'DELETE /api/v1/users/:id': [{ path: `/api/v1/users/${userB.id}` }],
    'PUT /api/v1/users/:id/password': [
      { path: `/api/v1/users/${userB.id}/password`, body: { password: 'taken-Over-Passphrase-1' } },
    ],
    'POST /api/v1/users/:id/lock': [{ path: `/api/v1/users/${userB.id}/lock`, body: {} }],
    'POST /api/v1/users/:id/unlock': [{ path: `/api/v1/users/${userB.id}/unlock`, body: {} }],
    'POST /api/v1/users/:id/erase': [{ path: `/api/v1/users/${userB.id}/erase`, body: {} }],
    'GET /api/v1/tokens': [{ path: '/api/v1/tokens' }],
    'POST /api/v1/tokens': [
      { path: '/api/v1/tokens', body: { name: 'x', permissions: ['operation.alarms.view'], environments: ['eb'] } },
    ],
    'DELETE /api/v1/tokens/:id': [{ path: `/api/v1/tokens/${userB.tokenId}` }],
    'GET /api/v1/access-log': [{ path: '/api/v1/access-log?limit=500' }],
    'GET /api/v1/access-log/export': [
      { path: '/api/v1/access-log/export?format=json' },
      { path: '/api/v1/access-log/export?format=csv' },
    ],
    'GET /api/v1/access-log/verify': [{ path: '/api/v1/access-log/verify' }],
    'GET /api/v1/protocol': [{ path: '/api/v1/protocol?limit=500' }, { path: '/api/v1/protocol?type=type-zb' }],
    'GET /api/v1/protocol/export': [
      { path: '/api/v1/protocol/export?format=json' },
      { path: '/api/v1/protocol/export?format=csv' },
    ],
    // This app has no DECT link (test/smoke/dect-wiring.test.ts scopes the phones of a real one).
    'GET /api/v1/alarms/templates': [{ path: '/api/v1/alarms/templates' }],
    'GET /api/v1/phones': [{ path: '/api/v1/phones' }],
    'POST /api/v1/phones/:number/locating-alert': [{ path: '/api/v1/phones/4711/locating-alert', body: {} }],
    'GET /api/v1/phones/:number/position': [{ path: '/api/v1/phones/4711/position' }],
    'GET /api/v1/dect/band': [{ path: '/api/v1/dect/band' }],
    'POST /api/v1/dect/band': [{ path: '/api/v1/dect/band', body: { band: 'US', confirm: true } }],
    // Supervision alarms: A's environments only; B's environment, and A's pointing at B's type, are refused.
    'GET /api/v1/system/supervision': [{ path: '/api/v1/system/supervision' }],
    'PUT /api/v1/system/supervision/:environment': [
      { path: '/api/v1/system/supervision/eb', body: { alarmType: null } },
      { path: '/api/v1/system/supervision/ea', body: { alarmType: 'type-zb' } },
    ],
  };
  for (const [seg, id] of Object.entries(B_ID)) {
    const base = `/api/v1/config/${seg}`;
    calls[`GET ${base}`] = [{ path: base }];
    calls[`GET ${base}/:id`] = [{ path: `${base}/${id}` }];
    calls[`DELETE ${base}/:id`] = [{ path: `${base}/${id}` }];
    const env = seg === 'environments' ? {} : { environment: 'eb' };
    calls[`PUT ${base}/:id`] = [
      // Replace B's item (as if in A), and create a new one in B.
      { path: `${base}/${id}`, body: { ...bodyFor(seg, 'ea'), name: 'taken over' } },
      { path: `${base}/new-${seg}`, body: { ...bodyFor(seg, 'eb'), ...env } },
    ];
  }
  // The DECT band is one object (the link's), not a list.
  const list =
    (method === 'GET' && !/:id|:member|:number/.test(path) && path !== '/api/v1/dect/band') ||
    key === 'POST /api/v1/alarms/cancel-all';
  const found = calls[key];
  if (!found) throw new Error(`${key}: not classified in test/smoke/environments.test.ts`);
  return { kind: list ? 'list' : 'object', calls: found };
}

/** A valid body of a configuration item of `seg` in environment `env`. */
function bodyFor(seg: string, env: string): Record<string, unknown> {
  switch (seg) {
    case 'environments':
      return { name: 'E' };
    case 'profiles':
      return { name: 'P', environment: env };
    case 'groups':
      return { name: 'G', environment: env };
    case 'contacts':
      return { name: 'C', environment: env };
    case 'alarm-types':
      return { name: 'T', environment: env, priority: 1, plan: 'escalate@1' };
    default:
      return { name: 'W', environment: env, alarmType: env === 'ea' ? 'type-za' : 'type-zb', text: 'w' };
  }
}

const B_IDS = ['alarm-zb', 'plan-zb', 'profile-zb', 'contact-zb', 'group-zb', 'type-zb', 'template-zb', 'user-zb'];

describe('environments: a user of A cannot read or change anything of B', () => {
  it('every route, driven by an admin of A against the objects of B', async () => {
    const before = await dumpB();
    assert.equal(before.alarm.status, 200, 'B exists');
    const seen: string[] = [];
    for (const key of Object.keys(ROUTE_ACCESS)) {
      const c = classify(key);
      if (c.kind === 'global') continue;
      const method = key.split(' ')[0]!;
      for (const call of c.calls) {
        const r = await asA(method, call.path, method === 'GET' || method === 'DELETE' ? undefined : call.body);
        const what = `${method} ${call.path} → ${r.status} ${r.text.slice(0, 300)}`;
        assert.ok(!r.text.includes(SECRET), `leaks B's text: ${what}`);
        if (c.kind === 'list') {
          assert.equal(r.status, 200, what);
          for (const id of B_IDS) assert.ok(!r.text.includes(id), `lists ${id}: ${what}`);
          assert.ok(!r.text.includes(userB.id), `lists user B: ${what}`);
        } else {
          assert.ok([403, 404, 409, 422].includes(r.status), `not refused: ${what}`);
        }
        seen.push(key);
      }
    }
    assert.deepEqual(await dumpB(), before, 'nothing of B changed');
    assert.ok(seen.length > 60, `drove ${seen.length} calls`);
  });

  it('control: the same user reads and changes the objects of A', async () => {
    const list = await asA('GET', '/api/v1/alarms');
    assert.deepEqual(
      list.json.alarms.map((a: { id: string }) => a.id),
      ['alarm-za'],
    );
    assert.equal((await asA('GET', '/api/v1/alarms/alarm-za/protocol')).json.chain.ok, true);
    assert.equal((await asA('GET', '/api/v1/alarms/alarm-za/replay')).json.ok, true);
    // A what-if over all time sees A's alarms only.
    const range = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
    const whatIf = await asA('POST', '/api/v1/replay/what-if', { plan: 'escalate@1', ...range });
    assert.equal(whatIf.status, 200, whatIf.text);
    assert.deepEqual(
      whatIf.json.alarms.map((a: { alarmId: string }) => a.alarmId),
      ['alarm-za'],
    );
    assert.equal((await asA('GET', '/api/v1/plans/plan-za/versions/1')).status, 200);
    assert.equal((await asA('GET', '/api/v1/config/alarm-types/type-za')).status, 200);
    assert.equal((await asA('GET', '/api/v1/config/groups/group-za/presence')).status, 200);
    const types = (await asA('GET', '/api/v1/config/alarm-types')).json.items.map((t: { id: string }) => t.id);
    assert.deepEqual(types, ['type-za']);
    const users = (await asA('GET', '/api/v1/users')).json.users.map((u: { id: string }) => u.id);
    assert.ok(users.includes(userA.id));
    // Shared plans (`*`) are read by everyone, changed only by a holder of every environment.
    assert.equal((await asA('GET', '/api/v1/plans/escalate/versions/1')).status, 200);
    assert.equal((await asA('POST', '/api/v1/plans/escalate/versions/1/disable', {})).status, 403);
    const cancel = await asA('POST', '/api/v1/alarms/alarm-za/cancel', { by: 'user-za' });
    assert.equal(cancel.status, 202, cancel.text);
    const published = await asA('POST', '/api/v1/plans', { plan: planOf('za') });
    assert.equal(published.status, 201, published.text);
    const own = await h.tocsin.auth.getUser(userA.id, SYSTEM);
    assert.deepEqual(own.environments, ['ea']);
  });
});
