// The "bad input" table of issue 4 on the real app over a real socket: malformed and non-object
// JSON, oversized and compressed bodies, unknown fields, wrong media types, numbers and very
// long strings in every string field, SQL/HTML/header injection, path traversal, odd unicode
// in ids, 10 MB passwords, and malformed request heads. Every row must get a 4xx (never a 5xx),
// a problem+json body without a stack trace or file path, and the security headers; the state
// readable through the API is the same after the refused writes as before. The generic rows are
// built from ROUTE_ACCESS, so a new write route is covered as soon as it is classified below.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CONFIG_KINDS, KIND_SEGMENT } from '../../src/domain/config-model.ts';
import { MAX_BODY } from '../../src/http/app.ts';
import { ROUTE_ACCESS } from '../../src/http/route-access.ts';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.ts';

type As = 'admin' | 'session' | 'anonymous';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly json: any;
}

interface Row {
  readonly name: string;
  readonly method: string;
  /** Sent as is: not normalised, not re-encoded. */
  readonly path: string;
  readonly body?: string | Buffer;
  /** The Content-Type of the body; `null` sends none. Default application/json. */
  readonly type?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly as?: As;
  /** The statuses this row may get; all 4xx. */
  readonly expect: readonly number[];
  readonly check?: (r: Answer) => void;
}

const SQL = ["' OR 1=1 --", '"; DROP TABLE alarms; --'];
const HTML = '<script>alert(1)</script>';
const TRAVERSAL = ['..', '../', '..%2f', '%2e%2e%2f', '%2e%2e', '..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%5c', '....//'];
/** Percent-encoded ids no id pattern admits: NUL, RTL override, emoji, CRLF + a header, a bad escape. */
const ODD_IDS = [
  'a%00b',
  'a%E2%80%AEb',
  '%F0%9F%98%80',
  'a%0d%0aX-Injected:%20yes',
  'a%0aX-Injected:%20yes',
  '%E0%A4%A',
];
const KIB = 1024;
const LIMIT_BYTES = Number.parseInt(MAX_BODY, 10) * KIB;
const DEPTH = 30_000;
const TEN_MB = 'p'.repeat(10 * 1024 * KIB);

let h: Harness;
let server: Server;
let port: number;
let session: Record<string, string> = {};
/** Path parameters of existing things, so a row fails on its input, not on a missing item. */
const P: Record<string, string> = {};

/** One request over a fresh connection, the path byte for byte as given. */
function send(row: Omit<Row, 'name' | 'expect'>): Promise<Answer> {
  const headers: Record<string, string> = { connection: 'close', ...row.headers };
  if (row.as === undefined || row.as === 'admin') headers.authorization = `Bearer ${h.token}`;
  if (row.as === 'session') Object.assign(headers, session);
  if (row.body !== undefined) {
    if (row.type !== null) headers['content-type'] ??= row.type ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(row.body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: row.method, path: row.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    if (row.body !== undefined) req.write(row.body);
    req.end();
  });
}

/** Bytes straight onto a socket (for heads Node's client refuses to send); the raw answer. */
function sendRaw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.write(bytes, 'latin1'));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** No stack frame, no source path, no dependency path: what a 4xx body must never show. */
function assertNoLeak(text: string, what: string): void {
  assert.doesNotMatch(text, /\n\s+at |\bat [\w.<>]+ \(/, `${what}: a stack trace leaked: ${text.slice(0, 300)}`);
  assert.doesNotMatch(
    text,
    /\/src\/|node_modules|\.ts:\d|file:\/\//,
    `${what}: a file path leaked: ${text.slice(0, 300)}`,
  );
  assert.doesNotMatch(text, /root:x:0:0|"devDependencies"/, `${what}: a file's content leaked`);
}

/** The checks every row gets. */
function assertRefused(row: Row, r: Answer): void {
  const what = `${r.status} ${r.text.slice(0, 160)}`;
  assert.ok(r.status >= 400 && r.status < 500, `${what}: not a 4xx`);
  assert.ok(row.expect.includes(r.status), `${what}: expected ${row.expect.join(' or ')}`);
  assert.equal(r.headers['content-type'], 'application/problem+json', `${what}: not problem JSON`);
  assert.equal(r.json?.status, r.status, `${what}: the problem's status`);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.ok(r.headers['content-security-policy'], `${what}: no CSP`);
  for (const [k, v] of Object.entries(r.headers)) {
    assert.doesNotMatch(`${k}: ${String(v)}`, /x-injected|drop table/i, `${what}: injected into a response header`);
  }
  assertNoLeak(r.text, what);
  row.check?.(r);
}

async function run(rows: readonly Row[]): Promise<void> {
  const failures: string[] = [];
  for (const row of rows) {
    const r = await send(row);
    try {
      assertRefused(row, r);
    } catch (err) {
      failures.push(`${row.method} ${row.path.slice(0, 120)} [${row.name}]: ${(err as Error).message}`);
    }
  }
  if (failures.length > 0) assert.fail(`${failures.length} of ${rows.length} rows failed:\n${failures.join('\n')}`);
}

/** A route's path with its parameters filled in: `over` first, else an existing item's. */
function fill(route: string, over: Record<string, string> = {}): string {
  const path = route.slice(route.indexOf(' ') + 1);
  return path.replace(/:(\w+)/g, (_, name: string) => over[name] ?? P[`${path}:${name}`] ?? P[name]!);
}

/** What the API shows of the state; compared before and after the refused writes. */
async function snapshot(): Promise<Record<string, unknown>> {
  const paths = [
    '/api/v1/alarms',
    `/api/v1/alarms/${P.alarm}`,
    `/api/v1/alarms/${P.alarm}/protocol`,
    '/api/v1/plans',
    '/api/v1/users',
    '/api/v1/user-groups',
    '/api/v1/tokens',
    '/api/v1/config/changes?limit=1000',
    '/api/v1/config/groups/A/presence',
    ...CONFIG_KINDS.map((k) => `/api/v1/config/${KIND_SEGMENT[k]}`),
  ];
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    const r = await send({ method: 'GET', path: p });
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    out[p] = r.json;
  }
  return out;
}

/**
 * Every POST, PUT and PATCH route: `none` when it takes no body (it is sent only bodies the
 * parser refuses, so it never runs), else a body it would accept and who sends it. A new write
 * route fails the first test until it is added here.
 */
/** Write routes whose valid body succeeds only with a device link, which this app has not. */
const NEEDS_DEVICE_LINK = new Set(['POST /api/v1/phones/:number/locating-alert', 'POST /api/v1/dect/band']);

function writeRoutes(plan: unknown): Record<string, 'none' | { body: Record<string, unknown>; as?: As }> {
  const configBodies: Record<string, Record<string, unknown>> = {
    environment: { name: 'Probe' },
    profile: { name: 'Probe' },
    group: { name: 'Probe', members: [{ kind: 'user', id: 'alice' }] },
    contact: { name: 'Probe', email: 'probe@example.org' },
    alarmType: { name: 'Probe', priority: 3, textTemplate: '{alarm.text}', plan: 'escalate@1' },
    webTemplate: { name: 'Probe', alarmType: 'generic', text: 'probe' },
  };
  return {
    'POST /api/v1/auth/login': { body: { loginName: 'admin', password: ADMIN_PASSWORD }, as: 'anonymous' },
    'POST /api/v1/auth/logout': 'none',
    'POST /api/v1/auth/password': {
      body: { oldPassword: ADMIN_PASSWORD, newPassword: 'another-Passphrase-7' },
      as: 'session',
    },
    'PATCH /api/v1/auth/me': { body: { language: 'DE' } },
    'POST /api/v1/alarms': { body: { type: 'generic', text: 'probe', location: 'ward 3', id: 'probe-1' } },
    'POST /api/v1/alarms/:id/responses': { body: { response: 'accept', by: 'alice' } },
    'POST /api/v1/alarms/:id/signals': { body: { signal: 'PRESENCE', by: 'alice' } },
    'POST /api/v1/alarms/:id/cancel': { body: { by: 'alice', reason: 'probe' } },
    'POST /api/v1/alarms/:id/forward': { body: { to: 'group:A', text: 'probe' } },
    'POST /api/v1/alarms/cancel-all': { body: { alarms: true, presences: true, reason: 'probe' } },
    'POST /api/v1/plans/validate': { body: { plan } },
    'POST /api/v1/plans/analyse': { body: { plan, alarmType: 'generic' } },
    'POST /api/v1/plans/simulate': {
      body: { plan, alarmType: 'generic', scenario: { steps: [{ at: 500, event: 'accept', by: 'alice' }] } },
    },
    // The plan's own id, not the body's `id` (which would override it): so /plan/id is checked.
    'POST /api/v1/plans': { body: { plan: { ...(plan as object), id: 'probe-plan' } } },
    'POST /api/v1/plans/:id/versions/:version/disable': 'none',
    'POST /api/v1/plans/:id/versions/:version/enable': 'none',
    ...Object.fromEntries(
      CONFIG_KINDS.map((k) => [`PUT /api/v1/config/${KIND_SEGMENT[k]}/:id`, { body: configBodies[k]! }]),
    ),
    'PUT /api/v1/config/groups/:id/presence/:member': 'none',
    'POST /api/v1/users': {
      body: {
        loginName: 'probe',
        displayName: 'Probe User',
        phone: '+49 30 555',
        email: 'probe@example.org',
        userGroup: 'viewer',
        environments: ['default'],
        password: 'probe-Passphrase-1',
      },
    },
    'PATCH /api/v1/users/:id': { body: { displayName: 'Probe Patched', phone: '+49 30 556' } },
    'PUT /api/v1/users/:id/password': { body: { password: 'probe-Passphrase-2', mustChangePassword: false } },
    'POST /api/v1/users/:id/lock': 'none',
    'POST /api/v1/users/:id/unlock': 'none',
    'POST /api/v1/users/:id/erase': 'none',
    'POST /api/v1/phones/:number/locating-alert': { body: { text: 'Please call the bridge' } },
    'POST /api/v1/dect/band': { body: { band: 'US', confirm: true } },
    'PUT /api/v1/user-groups/:id': { body: { name: 'Probe', description: 'probe', permissions: [] } },
    'POST /api/v1/tokens': {
      body: { name: 'probe', permissions: ['operation.alarms.view'], environments: ['default'] },
      as: 'session',
    },
    // Reads only, but its body is validated like a write's (a valid run is access-logged).
    'POST /api/v1/replay/what-if': { body: { plan: 'escalate@1', alarms: ['fixture-1'] } },
    // Only `interfaces`: a valid `server` body would stop the app under test.
    'POST /api/v1/system/restart': { body: { scope: 'interfaces', reason: 'probe' } },
    'PUT /api/v1/system/supervision/:environment': { body: { alarmType: 'generic' } },
  };
}

/** Paths to every string in a body, at most two levels deep (`/a`, `/a/b`, `/a/0`). */
function stringFields(body: Record<string, unknown>): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out.push([k]);
    else if (v && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'string') out.push([k, k2]);
    }
  }
  return out;
}

function withField(body: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  let at: any = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]!] = value;
  return copy;
}

/** Rows every write route gets, and per string field of a JSON route's body. */
function generatedRows(plan: unknown): Row[] {
  const rows: Row[] = [];
  const routes = writeRoutes(plan);
  for (const [key, spec] of Object.entries(routes)) {
    const method = key.slice(0, key.indexOf(' '));
    const path = fill(key);
    const as = spec === 'none' ? undefined : spec.as;
    const base = { method, path, ...(as ? { as } : {}) };
    // Refused by the body parser, before any route code runs.
    rows.push(
      { ...base, name: 'malformed JSON', body: '{"a":', expect: [400] },
      { ...base, name: 'not JSON at all', body: "' OR 1=1 --", expect: [400] },
      { ...base, name: 'a JSON string', body: '"x"', expect: [400] },
      { ...base, name: 'JSON null', body: 'null', expect: [400] },
      { ...base, name: 'a JSON number', body: '1', expect: [400] },
      { ...base, name: 'JSON true', body: 'true', expect: [400] },
      { ...base, name: 'prototype pollution', body: '{"__proto__":{"admin":true}}', expect: [400] },
      {
        ...base,
        name: `a body over ${MAX_BODY}`,
        body: JSON.stringify({ x: 'a'.repeat(LIMIT_BYTES + 1) }),
        expect: [413],
      },
      {
        ...base,
        name: `a gzip body that inflates past ${MAX_BODY}`,
        body: gzipSync(JSON.stringify({ x: 'a'.repeat(4 * LIMIT_BYTES) })),
        headers: { 'content-encoding': 'gzip' },
        expect: [413],
      },
      {
        ...base,
        name: 'an unknown content encoding',
        body: '{}',
        headers: { 'content-encoding': 'x-unknown' },
        expect: [415],
      },
    );
    if (spec === 'none') continue;
    const valid = JSON.stringify(spec.body);
    rows.push(
      { ...base, name: 'a JSON array', body: '[]', expect: [400, 422] },
      { ...base, name: 'an array of the valid body', body: `[${valid}]`, expect: [400, 422] },
      { ...base, name: 'an unknown field', body: JSON.stringify({ ...spec.body, zzUnknown: 1 }), expect: [400, 422] },
      {
        ...base,
        name: 'an unknown field named like an internal one',
        body: JSON.stringify({ ...spec.body, environment_id: 'other', isAdmin: true }),
        expect: [400, 422],
      },
      { ...base, name: 'text/plain', body: valid, type: 'text/plain', expect: [415] },
      { ...base, name: 'a form', body: 'loginName=admin', type: 'application/x-www-form-urlencoded', expect: [415] },
      { ...base, name: 'no Content-Type', body: valid, type: null, expect: [415] },
      { ...base, name: 'no body', expect: [400, 415, 422] },
    );
    for (const key of Object.keys(spec.body)) {
      // Deep enough to overflow a recursive validator's stack, small enough for the body limit.
      const deep = JSON.stringify(spec.body).replace(
        `${JSON.stringify(key)}:${JSON.stringify(spec.body[key])}`,
        `${JSON.stringify(key)}:${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`,
      );
      rows.push({ ...base, name: `${DEPTH} nested arrays at /${key}`, body: deep, expect: [400, 422] });
    }
    rows.push({
      ...base,
      name: '6 000 unknown fields: a bounded answer',
      body: JSON.stringify({
        ...spec.body,
        ...Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${i}`, 1])),
      }),
      expect: [400, 422],
      // No more than MAX_PROBLEM_ERRORS entries of ~60 bytes: never larger than the request.
      check: (r) => assert.ok(r.text.length < 16 * KIB, `a ${r.text.length}-byte answer`),
    });
    rows.push({
      ...base,
      name: 'constructor.prototype',
      body: JSON.stringify({ ...spec.body, constructor: { prototype: { isAdmin: true } } }),
      expect: [400, 422],
    });
    for (const field of stringFields(spec.body)) {
      const at = `/${field.join('/')}`;
      rows.push(
        {
          ...base,
          name: `a number at ${at}`,
          body: JSON.stringify(withField(spec.body, field, 12345)),
          expect: [400, 422],
        },
        {
          ...base,
          name: `an object at ${at}`,
          body: JSON.stringify(withField(spec.body, field, { $ne: null })),
          expect: [400, 422],
        },
        {
          ...base,
          name: `60 000 characters at ${at}`,
          body: JSON.stringify(withField(spec.body, field, 'x'.repeat(60_000))),
          expect: [400, 422],
        },
        {
          ...base,
          name: `100 000 characters at ${at}`,
          body: JSON.stringify(withField(spec.body, field, 'x'.repeat(100_000))),
          expect: [413],
        },
      );
    }
  }
  return rows;
}

/** Every route with path parameters, each parameter in turn set to each hostile value. */
function pathRows(): Row[] {
  const rows: Row[] = [];
  const skip = new Set(['POST /api/v1/auth/logout']);
  for (const key of Object.keys(ROUTE_ACCESS)) {
    if (skip.has(key)) continue;
    const method = key.slice(0, key.indexOf(' '));
    const names = [...key.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    for (const name of names) {
      for (const bad of TRAVERSAL) {
        rows.push({
          name: `traversal in :${name}`,
          method,
          path: fill(key, { [name]: bad }),
          expect: [400, 403, 404, 422],
        });
      }
      for (const bad of [...ODD_IDS, ...SQL.map(encodeURIComponent), encodeURIComponent(HTML)]) {
        rows.push({ name: `hostile :${name}`, method, path: fill(key, { [name]: bad }), expect: [400, 404, 422] });
      }
      rows.push({
        name: `a 300-character :${name}`,
        method,
        path: fill(key, { [name]: 'a'.repeat(300) }),
        expect: [400, 404, 422],
      });
    }
  }
  return rows;
}

before(async () => {
  h = await startHarness();
  server = createServer(h.tocsin.app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;

  const login = await send({
    method: 'POST',
    path: '/api/v1/auth/login',
    body: JSON.stringify({ loginName: 'admin', password: ADMIN_PASSWORD }),
    as: 'anonymous',
  });
  assert.equal(login.status, 200, login.text);
  session = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': login.json.csrfToken };

  const alarm = await send({
    method: 'POST',
    path: '/api/v1/alarms',
    body: JSON.stringify({ type: 'generic', text: 'bad-input fixture', id: 'fixture-1' }),
  });
  assert.equal(alarm.status, 201, alarm.text);
  const user = await send({
    method: 'POST',
    path: '/api/v1/users',
    body: JSON.stringify({
      loginName: 'victor',
      displayName: 'Victor',
      userGroup: 'viewer',
      environments: ['default'],
      password: 'victor-Passphrase-1',
    }),
  });
  assert.equal(user.status, 201, user.text);
  Object.assign(P, {
    alarm: 'fixture-1',
    '/api/v1/alarms/:id:id': 'fixture-1',
    '/api/v1/users/:id:id': user.json.id,
    '/api/v1/users/:id/password:id': user.json.id,
    '/api/v1/users/:id/lock:id': user.json.id,
    '/api/v1/users/:id/unlock:id': user.json.id,
    '/api/v1/users/:id/erase:id': user.json.id,
    '/api/v1/user-groups/:id:id': 'viewer',
    '/api/v1/tokens/:id:id': 'no-such-token',
    '/api/v1/config/groups/:id/presence:id': 'A',
    '/api/v1/config/alarm-types/:id:id': 'probe-type',
    id: 'probe-item',
    version: '1',
    member: 'alice',
    number: '4711',
    environment: 'default',
  });
  for (const p of ['responses', 'signals', 'cancel', 'forward', 'protocol', 'replay'])
    P[`/api/v1/alarms/:id/${p}:id`] = 'fixture-1';
  for (const p of ['', '/versions/:version', '/versions/:version/disable', '/versions/:version/enable', '/diff']) {
    P[`/api/v1/plans/:id${p}:id`] = 'escalate';
  }
  for (const p of ['', '/:member']) P[`/api/v1/config/groups/:id/presence${p}:id`] = 'A';
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await h.stop();
});

describe('refused input writes nothing', () => {
  let plan: unknown;
  let state: Record<string, unknown>;
  let logHead: number;

  before(async () => {
    const r = await send({ method: 'GET', path: '/api/v1/plans/escalate/versions/1' });
    assert.equal(r.status, 200, r.text);
    plan = r.json.definition;
    state = await snapshot();
    logHead = (await h.tocsin.store.accessLog.head())?.seq ?? 0;
  });

  it('every POST, PUT and PATCH route is classified', () => {
    const writes = Object.keys(ROUTE_ACCESS).filter((k) => /^(POST|PUT|PATCH) /.test(k));
    const known = Object.keys(writeRoutes(plan));
    assert.deepEqual(
      writes.filter((k) => !known.includes(k)),
      [],
      'add these routes to writeRoutes(): a valid body, or none',
    );
    assert.deepEqual(
      known.filter((k) => !writes.includes(k)),
      [],
      'writeRoutes() names routes ROUTE_ACCESS does not have',
    );
  });

  it('bodies: malformed, non-object, oversized, compressed, unknown fields, wrong types, long strings', async () => {
    await run(generatedRows(plan));
  });

  it('path parameters: traversal, NUL, RTL override, emoji, CRLF, SQL, HTML, overlong', async () => {
    await run(pathRows());
  });

  it('query parameters: SQL, HTML, repeated, out of range', async () => {
    const rows: Row[] = [];
    for (const v of [...SQL, HTML, '-1', '1e3', '99999999999999', '%00']) {
      const q = v === '%00' ? v : encodeURIComponent(v);
      rows.push(
        { name: 'status', method: 'GET', path: `/api/v1/alarms?status=${q}`, expect: [400, 422] },
        { name: 'after', method: 'GET', path: `/api/v1/config/changes?after=${q}`, expect: [400, 422] },
        { name: 'limit', method: 'GET', path: `/api/v1/config/changes?limit=${q}`, expect: [400, 422] },
        { name: 'from', method: 'GET', path: `/api/v1/plans/escalate/diff?from=${q}&to=1`, expect: [400, 422] },
      );
    }
    for (const v of [...SQL, HTML, 'csv\r\nX-Injected: yes', '../../../etc/passwd']) {
      const q = encodeURIComponent(v);
      for (const name of ['outcome', 'action', 'limit', 'before', 'after', 'from', 'to']) {
        rows.push({ name, method: 'GET', path: `/api/v1/access-log?${name}=${q}`, expect: [400, 422] });
      }
      rows.push(
        { name: 'format', method: 'GET', path: `/api/v1/access-log/export?format=${q}`, expect: [400, 422] },
        { name: 'unknown', method: 'GET', path: `/api/v1/access-log/verify?x=${q}`, expect: [400, 422] },
      );
    }
    for (const name of ['limit', 'before', 'after', 'from']) {
      rows.push({ name: `${name} -1`, method: 'GET', path: `/api/v1/access-log?${name}=-1`, expect: [400, 422] });
    }
    rows.push(
      { name: 'status twice', method: 'GET', path: '/api/v1/alarms?status=active&status=ended', expect: [400, 422] },
      { name: 'limit twice', method: 'GET', path: '/api/v1/config/changes?limit=1&limit=2', expect: [400, 422] },
    );
    await run(rows);
  });

  it('header injection: CR/LF in ids that reach Location, hostile If-Match, bad credentials', async () => {
    const crlf = 'a\r\nX-Injected: yes';
    await run([
      {
        name: 'CRLF in an alarm id (Location)',
        method: 'POST',
        path: '/api/v1/alarms',
        body: JSON.stringify({ type: 'generic', text: 'x', id: crlf }),
        expect: [400, 422],
      },
      {
        name: 'CRLF in a plan id (Location)',
        method: 'POST',
        path: '/api/v1/plans',
        body: JSON.stringify({ plan, id: crlf }),
        expect: [400, 422],
      },
      {
        name: 'CRLF in a login name (Location)',
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({
          loginName: crlf,
          displayName: 'x',
          userGroup: 'viewer',
          environments: ['default'],
          password: 'probe-Passphrase-1',
        }),
        expect: [400, 422],
      },
      ...['"1" OR 1=1', '"1"\u0000', 'W/"1"', '*', '"99999999999999"', `"${'9'.repeat(300)}"`].map((v): Row => ({
        name: `If-Match ${JSON.stringify(v)}`,
        method: 'PUT',
        path: '/api/v1/config/environments/default',
        body: JSON.stringify({ name: 'Default' }),
        headers: { 'if-match': v.replace('\u0000', '%00') },
        expect: [400, 412, 422],
      })),
      ...["Bearer ' OR 1=1 --", `Bearer ${'a'.repeat(8000)}`, 'Basic YWRtaW46YWRtaW4=', 'Bearer', `Bearer ${HTML}`].map(
        (v): Row => ({
          name: `Authorization ${v.slice(0, 30)}`,
          method: 'GET',
          path: '/api/v1/alarms',
          headers: { authorization: v },
          as: 'anonymous',
          expect: [400, 401],
        }),
      ),
      {
        name: 'a session cookie that is SQL',
        method: 'POST',
        path: '/api/v1/alarms',
        body: JSON.stringify({ type: 'generic', text: 'x' }),
        headers: { cookie: `tocsin_session=${encodeURIComponent(SQL[0]!)}`, 'x-csrf-token': SQL[1]! },
        as: 'anonymous',
        expect: [401, 403],
      },
      {
        name: 'a session without its CSRF token',
        method: 'POST',
        path: '/api/v1/alarms',
        body: JSON.stringify({ type: 'generic', text: 'x' }),
        headers: { cookie: session.cookie! },
        as: 'anonymous',
        expect: [403],
      },
    ]);
  });

  it('passwords of 10 MB and of 2 000 characters: refused before hashing, no session', async () => {
    const noSession = (r: Answer) => assert.equal(r.headers['set-cookie'], undefined, 'a session was created');
    const users = fill('PUT /api/v1/users/:id/password');
    await run([
      {
        name: '10 MB password at login',
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ loginName: 'admin', password: TEN_MB }),
        as: 'anonymous',
        expect: [413],
        check: noSession,
      },
      {
        name: '10 MB login name at login',
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ loginName: TEN_MB, password: ADMIN_PASSWORD }),
        as: 'anonymous',
        expect: [413],
        check: noSession,
      },
      {
        name: '2 000-character password at login',
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ loginName: 'admin', password: 'p'.repeat(2000) }),
        as: 'anonymous',
        expect: [400, 422],
        check: noSession,
      },
      {
        name: '10 MB new password',
        method: 'POST',
        path: '/api/v1/auth/password',
        body: JSON.stringify({ oldPassword: ADMIN_PASSWORD, newPassword: TEN_MB }),
        as: 'session',
        expect: [413],
        check: noSession,
      },
      {
        name: '2 000-character new password',
        method: 'POST',
        path: '/api/v1/auth/password',
        body: JSON.stringify({ oldPassword: ADMIN_PASSWORD, newPassword: 'p'.repeat(2000) }),
        as: 'session',
        expect: [400, 422],
        check: noSession,
      },
      {
        name: '2 000-character old password',
        method: 'POST',
        path: '/api/v1/auth/password',
        body: JSON.stringify({ oldPassword: 'p'.repeat(2000), newPassword: 'another-Passphrase-7' }),
        as: 'session',
        expect: [400, 422],
        check: noSession,
      },
      {
        name: '10 MB password set by an admin',
        method: 'PUT',
        path: users,
        body: JSON.stringify({ password: TEN_MB }),
        expect: [413],
      },
      {
        name: '2 000-character password set by an admin',
        method: 'PUT',
        path: users,
        body: JSON.stringify({ password: 'p'.repeat(2000) }),
        expect: [400, 422],
      },
      ...SQL.map((s): Row => ({
        name: `login name ${s}`,
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ loginName: s, password: s }),
        as: 'anonymous',
        expect: [401, 422, 429],
        check: noSession,
      })),
      {
        name: 'login name as an operator object',
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ loginName: { $ne: null }, password: { $ne: null } }),
        as: 'anonymous',
        expect: [400, 422],
        check: noSession,
      },
    ]);
    // The admin's session and password still work: nothing was changed.
    assert.equal((await send({ method: 'GET', path: '/api/v1/auth/me', as: 'session' })).status, 200);
  });

  it('unicode edge cases in body ids: NUL, RTL override, emoji', async () => {
    const rows: Row[] = [];
    for (const id of ['a\u0000b', 'a\u202eb', '\u{1F600}', 'a\u200bb', 'a b', 'ａｄｍｉｎ']) {
      rows.push(
        {
          name: `alarm id ${JSON.stringify(id)}`,
          method: 'POST',
          path: '/api/v1/alarms',
          body: JSON.stringify({ type: 'generic', text: 'x', id }),
          expect: [400, 422],
        },
        {
          name: `responder ${JSON.stringify(id)}`,
          method: 'POST',
          path: `/api/v1/alarms/${P.alarm}/responses`,
          body: JSON.stringify({ response: 'accept', by: id }),
          expect: [400, 422],
        },
        {
          name: `plan id ${JSON.stringify(id)}`,
          method: 'POST',
          path: '/api/v1/plans',
          body: JSON.stringify({ plan, id }),
          expect: [400, 422],
        },
        {
          name: `group member ${JSON.stringify(id)}`,
          method: 'PUT',
          path: '/api/v1/config/groups/probe-group',
          body: JSON.stringify({ name: 'Probe', members: [{ kind: 'user', id }] }),
          expect: [400, 422],
        },
      );
    }
    await run(rows);
  });

  it('methods a route does not have', async () => {
    const rows: Row[] = [];
    const routes = new Set(Object.keys(ROUTE_ACCESS));
    const paths = new Set(Object.keys(ROUTE_ACCESS).map((k) => k.slice(k.indexOf(' ') + 1)));
    for (const path of paths) {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        if (routes.has(`${method} ${path}`)) continue;
        rows.push({ name: `${method} ${path}`, method, path: fill(`${method} ${path}`), expect: [403, 404, 405] });
      }
    }
    await run(rows);
  });

  it('methods no router knows: 501 problem JSON, the one 5xx a client can cause', async () => {
    // RFC 9110 §9.1: an unrecognised method SHOULD get 501; test/unit/http-api.test.ts pins it.
    for (const method of ['PROPFIND', 'TRACE']) {
      for (const path of ['/healthz', '/api/v1/alarms', `/api/v1/alarms/${P.alarm}`, '/api/v1/users']) {
        const r = await send({ method, path });
        assert.equal(r.status, 501, `${method} ${path}: ${r.text}`);
        assert.equal(r.headers['content-type'], 'application/problem+json');
        assertNoLeak(r.text, `${method} ${path}`);
      }
    }
  });

  it('the state is unchanged; the access log has only failures and denials', async () => {
    const written: string[] = [];
    for await (const e of h.tocsin.store.accessLog.entries()) {
      if (e.seq > logHead && e.outcome === 'success') written.push(`${e.action} ${e.target ?? ''}`);
    }
    assert.deepEqual(written, [], 'a refused request was logged as a success');
    assert.deepEqual(await snapshot(), state);
  });
});

describe('malformed request heads', () => {
  // Refused by Node's HTTP parser before the app runs: no problem JSON is possible here, but the
  // answer must still be a 4xx without a stack or a path.
  const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
    [
      'a bare CR in a header value',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rX-Injected: yes\r\n\r\n',
      /^HTTP\/1\.1 400/,
    ],
    [
      'a bare LF in a header value',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\nX-Injected: yes\r\n\r\n',
      /^HTTP\/1\.1 400/,
    ],
    ['a NUL in a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', /^HTTP\/1\.1 400/],
    // Node reads `GET /api/v1/alarms/a` and a header line `X-Injected: yes HTTP/1.1`: refused, not echoed.
    ['a CRLF in the path', 'GET /api/v1/alarms/a\r\nX-Injected: yes HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 4\d\d/],
    ['a 100 kB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(100 * KIB)}\r\n\r\n`, /^HTTP\/1\.1 431/],
    [
      'a 100 kB query',
      `GET /api/v1/alarms?status=${'a'.repeat(100 * KIB)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      /^HTTP\/1\.1 431/,
    ],
    [
      'a Content-Length that lies',
      'POST /api/v1/alarms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}',
      /^HTTP\/1\.1 400/,
    ],
  ];
  for (const [name, bytes, status] of cases) {
    it(name, async () => {
      const answer = await sendRaw(bytes);
      assert.match(answer, status, answer.slice(0, 300));
      assert.doesNotMatch(answer, /^x-injected/im);
      assertNoLeak(answer, name);
    });
  }
});

describe('free text is stored and returned verbatim, as JSON', () => {
  const texts = [HTML, ...SQL, '<img src=x onerror=alert(1)>', "Robert'); DROP TABLE users;--", '\u202eevil'];

  /** A JSON answer with the security headers: a browser never renders it as HTML. */
  function assertJson(r: Answer, what: string): void {
    assert.match(String(r.headers['content-type']), /^application\/json\b/, `${what}: ${r.headers['content-type']}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.ok(r.headers['content-security-policy']);
  }

  it('alarm text, location and cancel reason', async () => {
    for (const [i, t] of texts.entries()) {
      const id = `verbatim-${i}`;
      const raised = await send({
        method: 'POST',
        path: '/api/v1/alarms',
        body: JSON.stringify({ type: 'generic', text: t, location: t, id }),
      });
      assert.equal(raised.status, 201, raised.text);
      assert.equal(raised.headers.location, `/api/v1/alarms/${id}`);
      const got = await send({ method: 'GET', path: `/api/v1/alarms/${id}` });
      assert.equal(got.status, 200, got.text);
      assertJson(got, t);
      assert.equal(got.json.text, t);
      assert.equal(got.json.location, t);
      const cancelled = await send({
        method: 'POST',
        path: `/api/v1/alarms/${id}/cancel`,
        body: JSON.stringify({ by: 'alice', reason: t }),
      });
      assert.equal(cancelled.status, 202, cancelled.text);
      const protocol = await send({ method: 'GET', path: `/api/v1/alarms/${id}/protocol` });
      assertJson(protocol, t);
      assert.ok(protocol.text.includes(JSON.stringify(t).slice(1, -1)), 'the reason is in the protocol verbatim');
    }
  });

  it('user, user group and configuration names', async () => {
    for (const [i, t] of texts.entries()) {
      const group = await send({
        method: 'PUT',
        path: `/api/v1/user-groups/verbatim-${i}`,
        body: JSON.stringify({ name: t, description: t, permissions: [] }),
      });
      assert.equal(group.status, 201, group.text);
      const g = await send({ method: 'GET', path: `/api/v1/user-groups/verbatim-${i}` });
      assertJson(g, t);
      assert.equal(g.json.name, t);
      assert.equal(g.json.description, t);

      const user = await send({
        method: 'POST',
        path: '/api/v1/users',
        body: JSON.stringify({
          loginName: `verbatim${i}`,
          displayName: t,
          userGroup: 'viewer',
          environments: ['default'],
          password: 'verbatim-Passphrase-1',
        }),
      });
      assert.equal(user.status, 201, user.text);
      const u = await send({ method: 'GET', path: `/api/v1/users/${user.json.id}` });
      assertJson(u, t);
      assert.equal(u.json.displayName, t);

      const env = await send({
        method: 'PUT',
        path: `/api/v1/config/environments/verbatim-${i}`,
        body: JSON.stringify({ name: t }),
      });
      assert.equal(env.status, 201, env.text);
      const e = await send({ method: 'GET', path: `/api/v1/config/environments/verbatim-${i}` });
      assertJson(e, t);
      assert.equal(e.json.name, t);
    }
  });

  it('a hostile access-log filter is a filter like any other', async () => {
    for (const t of texts) {
      const r = await send({ method: 'GET', path: `/api/v1/access-log?actor=${encodeURIComponent(t)}` });
      assert.equal(r.status, 200, r.text);
      assertJson(r, t);
      // Failed logins under these names are in the log: found by exact match, stored verbatim.
      for (const e of r.json.entries) assert.equal(e.actor, t);
    }
  });

  it('the tables are all still there', async () => {
    const alarms = await send({ method: 'GET', path: '/api/v1/alarms' });
    assert.ok(alarms.json.alarms.some((a: { id: string }) => a.id === P.alarm));
    const users = await send({ method: 'GET', path: '/api/v1/users' });
    assert.ok(users.json.users.some((u: { loginName: string }) => u.loginName === 'admin'));
    await snapshot();
  });
});

describe('the valid bodies of the table are accepted', () => {
  // Without this the rows above could pass for a body that is refused anyway.
  it('each write route answers 2xx to its valid body', async () => {
    const plan = (await send({ method: 'GET', path: '/api/v1/plans/escalate/versions/1' })).json.definition;
    const routes = Object.entries(writeRoutes(plan)).sort(([a], [b]) =>
      // Changing the admin's password last: the session stays, the old password does not.
      a === 'POST /api/v1/auth/password' ? 1 : b === 'POST /api/v1/auth/password' ? -1 : 0,
    );
    const failures: string[] = [];
    for (const [key, spec] of routes) {
      if (spec === 'none') continue;
      let path = fill(key);
      if (NEEDS_DEVICE_LINK.has(key)) {
        // This app has no DECT link: the valid body gets as far as saying so.
        const r = await send({ method: 'POST', path, body: JSON.stringify(spec.body) });
        if (r.status !== 409) failures.push(`${key}: ${r.status} ${r.text.slice(0, 300)}`);
        continue;
      }
      if (path.startsWith('/api/v1/alarms/')) {
        // A fresh alarm each: a response ends the alarm, and a cancel then would be a conflict.
        const id = `valid-${failures.length}-${key.length}-${key.split('/').pop()}`;
        const raised = await send({
          method: 'POST',
          path: '/api/v1/alarms',
          body: JSON.stringify({ type: 'generic', text: 'valid', id }),
        });
        assert.equal(raised.status, 201, raised.text);
        path = fill(key, { id });
      }
      const method = key.slice(0, key.indexOf(' '));
      const r = await send({ method, path, body: JSON.stringify(spec.body), ...(spec.as ? { as: spec.as } : {}) });
      if (r.status < 200 || r.status > 299) failures.push(`${key}: ${r.status} ${r.text.slice(0, 300)}`);
    }
    if (failures.length > 0) assert.fail(failures.join('\n'));
  });
});

describe("another environment's ids are not confirmed", () => {
  // Paula plans for ward B only; the plan ward-a-plan belongs to the default environment.
  it('a plan of another environment is as unknown as none, in the answer too', async () => {
    const plan = (await send({ method: 'GET', path: '/api/v1/plans/escalate/versions/1' })).json.definition;
    const env = await send({ method: 'PUT', path: '/api/v1/config/environments/ward-b', body: '{"name":"Ward B"}' });
    assert.equal(env.status, 201, env.text);
    const published = await send({
      method: 'POST',
      path: '/api/v1/plans',
      body: JSON.stringify({ plan: { ...plan, id: 'ward-a-plan' }, environment: 'default' }),
    });
    assert.equal(published.status, 201, published.text);
    const group = await send({
      method: 'PUT',
      path: '/api/v1/user-groups/planner',
      body: JSON.stringify({ name: 'Planner', permissions: ['administration.plans.edit'] }),
    });
    assert.equal(group.status, 201, group.text);
    const user = await send({
      method: 'POST',
      path: '/api/v1/users',
      body: JSON.stringify({
        loginName: 'paula',
        displayName: 'Paula',
        userGroup: 'planner',
        environments: ['ward-b'],
        password: 'paula-Passphrase-1',
        mustChangePassword: false,
      }),
    });
    assert.equal(user.status, 201, user.text);
    const { token } = await h.tocsin.auth.issueToken(user.json.id, {
      name: 'paula',
      permissions: ['administration.plans.edit'],
      environments: ['ward-b'],
    });
    const as = (path: string) =>
      send({ method: 'GET', path, headers: { authorization: `Bearer ${token}` }, as: 'anonymous' });
    const other = await as('/api/v1/plans/ward-a-plan/versions/1');
    const none = await as('/api/v1/plans/no-such-plan/versions/1');
    assert.equal(other.status, 404, other.text);
    assert.equal(none.status, 404, none.text);
    const shape = (r: Answer) => r.text.replaceAll('ward-a-plan', 'X').replaceAll('no-such-plan', 'X');
    assert.equal(shape(other), shape(none), 'the answers differ only in the id asked for');
    assert.doesNotMatch(other.text, /"default"/);
    const diff = await as('/api/v1/plans/ward-a-plan/diff?from=1&to=1');
    assert.equal(diff.status, 404, diff.text);
    const list = await as('/api/v1/plans');
    assert.equal(list.status, 200, list.text);
    assert.doesNotMatch(list.text, /ward-a-plan/);
  });
});
