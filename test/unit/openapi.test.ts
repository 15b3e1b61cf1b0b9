// The OpenAPI document against the app it describes: the documented (method, path) pairs are
// exactly the routes the Koa routers register, every documented operation answers with a
// documented status and a body valid against the documented schema, and the request schemas
// judge bodies the way the zod schemas of alarm-routes.ts do. A small hand-written JSON Schema
// checker (the subset the document uses; any other keyword throws) stands in for a validator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Router from '@koa/router';
import { KIND_SEGMENT, type ConfigKind } from '../../src/domain/config-model.ts';
import { PERMISSION_IDS } from '../../src/domain/permissions.ts';
import { alarmRoutes } from '../../src/http/alarm-routes.ts';
import {
  accessKey,
  openApiDocument,
  type OperationObject,
  type ParameterObject,
  type Reference,
  type SchemaObject,
} from '../../src/http/openapi.ts';
import { ROUTE_ACCESS, WHILE_PASSWORD_MUST_CHANGE } from '../../src/http/route-access.ts';
import { parseItem } from '../../src/runtime/config-service.ts';
import { ADMIN_PASSWORD, startHarness, type Harness } from '../support/harness.ts';

type Json = unknown;

// ---------------------------------------------------------------------------------------------
// A JSON Schema 2020-12 checker for the keywords this document uses.

/** Keywords that do not judge a value (`format` is asserted for date-time only, below). */
const ANNOTATIONS = new Set(['description', 'examples', 'title', 'format', 'default']);

/** Resolves a local `#/components/...` reference in the document. */
function resolve(pointer: string): unknown {
  assert.ok(pointer.startsWith('#/'), `only local refs: ${pointer}`);
  let node: unknown = openApiDocument;
  for (const seg of pointer.slice(2).split('/')) {
    assert.ok(node !== null && typeof node === 'object' && seg in node, `unresolvable $ref ${pointer}`);
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

const typeOf = (v: Json): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every complaint about `value` under `schema`, as `pointer: reason`; empty when it is valid. */
function check(schema: SchemaObject | Reference, value: Json, at = ''): string[] {
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, kw] of Object.entries(s)) {
    switch (k) {
      case '$ref':
        out.push(...check(resolve(kw as string) as SchemaObject, value, at));
        break;
      case 'type': {
        const types = Array.isArray(kw) ? (kw as string[]) : [kw as string];
        const t = typeOf(value);
        if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) out.push(`${at}: not ${types}`);
        break;
      }
      case 'enum':
        if (!(kw as Json[]).some((e) => e === value)) out.push(`${at}: not one of ${JSON.stringify(kw)}`);
        break;
      case 'const':
        if (value !== kw) out.push(`${at}: not ${JSON.stringify(kw)}`);
        break;
      case 'required':
        if (typeOf(value) === 'object') {
          for (const r of kw as string[]) if (!(r in (value as object))) out.push(`${at}/${r}: required`);
        }
        break;
      case 'properties':
        if (typeOf(value) === 'object') {
          for (const [p, ps] of Object.entries(kw as Record<string, SchemaObject>)) {
            const v = (value as Record<string, Json>)[p];
            if (v !== undefined) out.push(...check(ps, v, `${at}/${p}`));
          }
        }
        break;
      case 'additionalProperties':
        if (typeOf(value) === 'object') {
          const known = Object.keys((s.properties ?? {}) as object);
          for (const [p, v] of Object.entries(value as Record<string, Json>)) {
            if (known.includes(p)) continue;
            if (kw === false) out.push(`${at}/${p}: additional property`);
            else if (kw !== true) out.push(...check(kw as SchemaObject, v, `${at}/${p}`));
          }
        }
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((v, i) => out.push(...check(kw as SchemaObject, v, `${at}/${i}`)));
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (kw as number)) out.push(`${at}: fewer than ${kw} items`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (kw as number)) out.push(`${at}: more than ${kw} items`);
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < (kw as number)) out.push(`${at}: shorter than ${kw}`);
        break;
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > (kw as number)) out.push(`${at}: longer than ${kw}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(kw as string, 'u').test(value)) out.push(`${at}: not /${kw}/`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (kw as number)) out.push(`${at}: below ${kw}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (kw as number)) out.push(`${at}: above ${kw}`);
        break;
      case 'anyOf':
        if (!(kw as SchemaObject[]).some((sub) => check(sub, value, at).length === 0)) {
          out.push(`${at}: matches none of anyOf`);
        }
        break;
      case 'propertyNames':
        if (typeOf(value) === 'object') {
          for (const p of Object.keys(value as object)) {
            if (check(kw as SchemaObject, p, at).length > 0) out.push(`${at}: property name ${JSON.stringify(p)}`);
          }
        }
        break;
      case 'oneOf': {
        const passing = (kw as SchemaObject[]).filter((sub) => check(sub, value, at).length === 0).length;
        if (passing !== 1) out.push(`${at}: matches ${passing} of oneOf, not exactly 1`);
        break;
      }
      default:
        if (!ANNOTATIONS.has(k)) throw new Error(`the checker does not know keyword '${k}' (at ${at || '/'})`);
    }
  }
  if (s.format === 'date-time' && typeof value === 'string' && !ISO_DATE_TIME.test(value)) {
    out.push(`${at}: not a date-time`);
  }
  return out;
}

const schemaOf = (name: string): Reference => ({ $ref: `#/components/schemas/${name}` });

function assertValid(schema: SchemaObject | Reference, value: Json, what: string): void {
  assert.deepEqual(check(schema, value), [], `${what}: ${JSON.stringify(value).slice(0, 400)}`);
}

// ---------------------------------------------------------------------------------------------
// The document's operations and the routers' routes.

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface DocOp {
  readonly method: string;
  readonly path: string;
  readonly op: OperationObject;
}

const docOps: DocOp[] = Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
  METHODS.flatMap((m) => {
    const op = item[m];
    return op ? [{ method: m.toUpperCase(), path, op }] : [];
  }),
);
const docPairs = docOps.map((o) => `${o.method} ${o.path}`).sort();

/** `/api/v1/alarms/:id` → `/api/v1/alarms/{id}`; a trailing slash is not part of the route. */
const toOpenApiPath = (koaPath: string): string => koaPath.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');

/** (method, path) pairs of router layers; HEAD is implied by GET (@koa/router adds it itself). */
function routerPairs(routers: readonly Router[]): string[] {
  return routers
    .flatMap((r) => r.stack)
    .flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${toOpenApiPath(String(layer.path))}`),
    )
    .sort();
}

/** Resolves a `$ref` to a response object. */
const responseOf = (
  r: unknown,
): {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: SchemaObject | Reference }>;
} =>
  ((r as Reference).$ref ? resolve((r as Reference).$ref) : r) as {
    description: string;
    headers?: Record<string, unknown>;
    content?: Record<string, { schema: SchemaObject | Reference }>;
  };

/** Asserts that `r` is a documented answer of `op` with a body valid against its schema. */
function assertDocumented(
  op: OperationObject,
  r: { status: number; headers: Record<string, string>; json: Json; text: string },
  what: string,
): void {
  const documented = op.responses[String(r.status)];
  assert.ok(documented, `undocumented status: ${what}`);
  const content = Object.entries(responseOf(documented).content ?? {});
  if (content.length === 0) {
    assert.equal(r.text, '', `${what}: documented without a body`);
    return;
  }
  const [mediaType, media] = content[0]!;
  assert.ok(r.headers['content-type']?.startsWith(mediaType), `${what}: content-type ${r.headers['content-type']}`);
  if (mediaType.endsWith('json')) assertValid(media.schema, r.json, what);
  else assert.equal(typeof r.text, 'string');
}

const opOf = (method: string, path: string): OperationObject =>
  docOps.find((o) => o.method === method && o.path === path)!.op;

/** The session of a login answer, as request headers (the cookie and its CSRF token). */
function sessionHeaders(login: { headers: Record<string, string>; json: Json }): Record<string, string> {
  const cookie = /tocsin_session=([^;]+)/.exec(login.headers['set-cookie'] ?? '');
  assert.ok(cookie, `a session cookie: ${login.headers['set-cookie']}`);
  return { cookie: `tocsin_session=${cookie[1]}`, 'x-csrf-token': (login.json as { csrfToken: string }).csrfToken };
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

/**
 * The URL of an example request: `{id}` is `id` when given (a fresh alarm, or what a POST example
 * created); any other parameter takes its documented `example`, required query parameters included.
 */
function exampleUrl(path: string, op: OperationObject, id: string | undefined): string {
  const params = [...(openApiDocument.paths[path]!.parameters ?? []), ...(op.parameters ?? [])].map(
    (p) => ((p as Reference).$ref ? resolve((p as Reference).$ref) : p) as ParameterObject,
  );
  const example = (name: string) => String(params.find((p) => p.name === name)?.example ?? '');
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (id && name === 'id' ? id : example(name)));
  const query = params.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${example(p.name)}`);
  return query.length > 0 ? `${url}?${query.join('&')}` : url;
}

const LOGIN = '/api/v1/auth/login';
const LOGOUT = '/api/v1/auth/logout';

/**
 * The order in which the example requests can all succeed: what a PUT example creates is read
 * after it (PUT first within a path) and deleted at the end, the DELETEs in reverse document order
 * (a group member logs out before the group is deleted); login first, logout last.
 */
function exampleOrder(ops: readonly DocOp[]): DocOp[] {
  const rank = (o: DocOp) => (o.method === 'PUT' ? 0 : 1);
  const byPath = (a: DocOp, b: DocOp) => (a.path === b.path ? rank(a) - rank(b) : ops.indexOf(a) - ops.indexOf(b));
  const deletes = ops.filter((o) => o.method === 'DELETE');
  const [login, logout] = [LOGIN, LOGOUT].map((p) => ops.filter((o) => o.path === p));
  const rest = ops.filter((o) => o.method !== 'DELETE' && o.path !== LOGIN && o.path !== LOGOUT);
  return [...login!, ...rest.sort(byPath), ...deletes.reverse(), ...logout!];
}

describe('the OpenAPI document', () => {
  let h: Harness;
  let n = 0;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  /** Raises a fresh alarm with a unique id (no test depends on another's alarms). */
  async function freshAlarm(type = 'fast'): Promise<string> {
    const id = `doc-${++n}`;
    const r = await h.request('POST', '/api/v1/alarms', { type, text: 'Smoke in hold 2', id });
    assert.equal(r.status, 201, r.text);
    return id;
  }

  it('is served at /api/v1/openapi.json exactly as exported', async () => {
    const r = await h.request('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(r.json, JSON.parse(JSON.stringify(openApiDocument)));
  });

  it('is OpenAPI 3.1 and says the server binds beyond loopback only with TLS', () => {
    assert.equal(openApiDocument.openapi, '3.1.0');
    assert.match(openApiDocument.info.description, /Loopback only without TLS/);
    assert.match(openApiDocument.info.description, /only with `TOCSIN_TLS=on`/);
  });

  it('documents exactly the (method, path) pairs the Koa routers register', () => {
    // Every router mounted on the app carries itself on its dispatch middleware.
    const mounted = (h.tocsin.app.middleware as unknown as { router?: Router }[]).flatMap((m) =>
      m.router ? [m.router] : [],
    );
    assert.equal(
      mounted.length,
      13,
      'the app mounts the ops, the auth, the alarms, the plan tools, the plan versions, the configuration, the identity, the access log, the phones, the replay, the protocol, the operation and the system router',
    );
    assert.deepEqual(docPairs, routerPairs(mounted));
    // And the alarms router on its own, as alarm-routes.ts builds it.
    const alarms = routerPairs([alarmRoutes({ runtime: h.tocsin.runtime, store: h.tocsin.store })]);
    // (GET /api/v1/alarms/{id}/replay and …/plan are the replay router's: replay-routes.ts;
    // forward and cancel-all are the operation router's: operation-routes.ts.)
    assert.deepEqual(
      alarms,
      docPairs.filter(
        (p) =>
          p.includes(' /api/v1/alarms') &&
          !p.endsWith('/replay') &&
          !p.endsWith('/plan') &&
          !p.endsWith('/forward') &&
          !p.endsWith('/cancel-all'),
      ),
    );
    assert.equal(alarms.length, 9);
  });

  it('has unique operation ids, resolvable refs, and problem+json for every error answer', () => {
    const ids = docOps.map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length);
    for (const ref of collectRefs(openApiDocument)) assert.ok(resolve(ref) !== undefined, ref);
    for (const { method, path, op } of docOps) {
      for (const [status, r] of Object.entries(op.responses)) {
        const content = responseOf(r).content ?? {};
        if (Number(status) >= 400) {
          assert.deepEqual(Object.keys(content), ['application/problem+json'], `${method} ${path} ${status}`);
          assert.deepEqual(content['application/problem+json']?.schema, schemaOf('Problem'));
        } else {
          // The access log's and the protocol's exports answer CSV or JSON, as `format` asks.
          const twoFormats =
            method.toLowerCase() === 'get' &&
            (path === '/api/v1/access-log/export' || path === '/api/v1/protocol/export');
          const expected = status === '204' ? 0 : twoFormats ? 2 : 1;
          assert.equal(
            Object.keys(content).length,
            expected,
            `${method} ${path} ${status} has ${expected} media types`,
          );
        }
      }
    }
    const problem = openApiDocument.components.schemas.Problem as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(problem.properties).sort(), [
      'detail',
      'errors',
      'instance',
      'status',
      'title',
      'type',
    ]);
  });

  it('documents the error statuses each alarm operation can answer', () => {
    const statuses = (method: string, path: string) =>
      Object.keys(docOps.find((o) => o.method === method && o.path === path)!.op.responses).sort();
    const body = ['400', '413', '415'];
    const auth = ['401', '403'];
    assert.deepEqual(
      statuses('POST', '/api/v1/alarms'),
      ['200', '201', ...body, ...auth, '409', '422', '500', '503'].sort(),
    );
    for (const p of ['/api/v1/alarms/{id}/responses', '/api/v1/alarms/{id}/cancel']) {
      assert.deepEqual(statuses('POST', p), ['202', ...body, ...auth, '404', '409', '422', '500', '503'].sort());
    }
    for (const p of ['/api/v1/alarms/{id}', '/api/v1/alarms/{id}/protocol']) {
      assert.deepEqual(statuses('GET', p), ['200', ...auth, '404', '422', '500', '503']);
    }
    assert.deepEqual(statuses('GET', '/readyz'), ['200', '503']);
    assert.deepEqual(statuses('POST', LOGIN), ['200', ...body, '401', '422', '429', '500', '503'].sort());
    assert.deepEqual(
      statuses('POST', '/api/v1/auth/password'),
      ['204', ...body, ...auth, '422', '429', '500', '503'].sort(),
    );
    assert.deepEqual(statuses('POST', LOGOUT), ['204', ...auth, '500', '503']);
    // Nothing refuses a logged-in principal who asks who it is.
    assert.deepEqual(statuses('GET', '/api/v1/auth/me'), ['200', '401', '500', '503']);
  });

  it('every documented operation is routed and answers a documented status with a valid body', async () => {
    // The auth operations run as the harness admin's session: the examples hold no real password.
    const NEW_PASSWORD = 'a-new-passphrase-42';
    let session: Record<string, string> = {};
    // What a POST example creates (201 with a server-chosen `id`: users, API tokens) is the `{id}` of its item paths.
    const created = new Map<string, string>();
    for (const { method, path, op } of exampleOrder(docOps)) {
      const collection = path.split('/{id}')[0]!;
      const id = path.startsWith('/api/v1/alarms/{id}')
        ? await freshAlarm()
        : path.includes('/{id}')
          ? created.get(collection)
          : undefined;
      const url = exampleUrl(path, op, id);
      const content = op.requestBody?.content['application/json'];
      let example = content
        ? (resolve((content.schema as Reference).$ref) as { examples: Json[] }).examples[0]
        : undefined;
      let headers: Record<string, string> = {};
      if (path === LOGIN) {
        assertValid(content!.schema, example, 'the login example');
        example = { loginName: 'admin', password: ADMIN_PASSWORD };
        headers = { 'x-anonymous': '1' };
      } else if (path.startsWith('/api/v1/auth/') || path.startsWith('/api/v1/tokens')) {
        // API tokens are created from a session (a token cannot mint tokens), and revoked by their owner.
        headers = session;
        if (path === '/api/v1/auth/password') {
          assertValid(content!.schema, example, 'the password example');
          example = { oldPassword: ADMIN_PASSWORD, newPassword: NEW_PASSWORD };
        }
      }
      const r = await h.request(method, url, example, headers);
      const what = `${method} ${url} → ${r.status} ${r.text.slice(0, 200)}`;
      assert.ok(r.status !== 404 || !/no route/.test(r.text), `not routed: ${what}`);
      assert.ok(op.responses[String(r.status)], `undocumented status: ${what}`);
      // The test app has no DECT link: its operations must say so with their documented 409.
      if (['locatingAlert', 'phonePosition', 'getDectBand', 'switchDectBand'].includes(op.operationId))
        assert.equal(r.status, 409, what);
      else assert.ok(r.status < 400, `an example request fails: ${what}`);
      assertDocumented(op, r, what);
      if (path === LOGIN) session = sessionHeaders(r);
      if (method === 'POST' && r.status === 201 && typeof r.json?.id === 'string') created.set(path, r.json.id);
      if (path === '/api/v1/auth/me') assert.equal(r.json.via, 'session');
      if (path === '/api/v1/auth/password') {
        const back = { oldPassword: NEW_PASSWORD, newPassword: ADMIN_PASSWORD };
        assert.equal((await h.request('POST', url, back, session)).status, 204, 'the password changes back');
      }
      if (path === LOGOUT) {
        const after = await h.request('GET', '/api/v1/auth/me', undefined, session);
        assert.equal(after.status, 401, 'the session ended');
      }
    }
  });

  it('marks exactly the public routes of ROUTE_ACCESS `security: []`, and documents every route it lists', () => {
    assert.deepEqual(openApiDocument.security, [{ bearer: [] }, { cookie: [] }]);
    assert.deepEqual(Object.keys(openApiDocument.components.securitySchemes).sort(), ['bearer', 'cookie']);
    assert.deepEqual(docOps.map((o) => accessKey(o.method, o.path)).sort(), Object.keys(ROUTE_ACCESS).sort());
    const publicKeys = Object.entries(ROUTE_ACCESS)
      .filter(([, a]) => a.kind === 'public')
      .map(([k]) => k)
      .sort();
    assert.deepEqual(publicKeys, [
      'GET /api/v1/openapi.json',
      'GET /healthz',
      'GET /readyz',
      'POST /api/v1/auth/login',
    ]);
    const documentedPublic = docOps
      .filter((o) => o.op.security !== undefined)
      .map((o) => {
        assert.deepEqual(o.op.security, [], `${o.method} ${o.path}: only \`security: []\` overrides the default`);
        return accessKey(o.method, o.path);
      })
      .sort();
    assert.deepEqual(documentedPublic, publicKeys);
  });

  it('documents 401, 403 and what it needs for every operation that is not public', () => {
    const unauthorized = { $ref: '#/components/responses/Unauthorized' };
    for (const { method, path, op } of docOps) {
      const key = accessKey(method, path);
      const access = ROUTE_ACCESS[key]!;
      if (access.kind === 'public') {
        assert.notDeepEqual(op.responses['401'], unauthorized, key);
        assert.equal(op.responses['403'], undefined, key);
        continue;
      }
      assert.deepEqual(op.responses['401'], unauthorized, key);
      for (const s of ['500', '503']) assert.ok(op.responses[s], `${key} documents ${s}: the store is read`);
      if (access.kind === 'permission') {
        assert.ok(PERMISSION_IDS.includes(access.permission), key);
        assert.ok(
          op.description?.endsWith(`Needs the permission \`${access.permission}\`.`),
          `${key}: ${op.description}`,
        );
        assert.match(responseOf(op.responses['403']).description, new RegExp(`\`${access.permission}\``), key);
      } else if (access.kind === 'any') {
        for (const p of access.permissions) {
          assert.ok(PERMISSION_IDS.includes(p), key);
          assert.match(responseOf(op.responses['403']).description, new RegExp(`\`${p}\``), key);
        }
        assert.match(op.description ?? '', /Needs one of the permissions /, key);
      } else {
        assert.match(op.description ?? '', /Needs a logged-in user or an API token/, key);
      }
      const csrf = (op.parameters ?? []).some((p) => (p as Reference).$ref === '#/components/parameters/CsrfToken');
      assert.equal(csrf, method !== 'GET', `${key}: the CSRF header is documented for changes only`);
      // The middleware refuses with 403 for a permission, a pending password change or a missing CSRF token.
      const canRefuse =
        access.kind === 'permission' ||
        access.kind === 'any' ||
        !WHILE_PASSWORD_MUST_CHANGE.has(key) ||
        method !== 'GET';
      assert.equal(op.responses['403'] !== undefined, canRefuse, `${key} documents 403 exactly when it can answer it`);
    }
    const without403 = docOps.filter((o) => o.op.security === undefined && !o.op.responses['403']);
    assert.deepEqual(
      without403.map((o) => accessKey(o.method, o.path)),
      ['GET /api/v1/auth/me'],
    );
  });

  it('answers the documented auth refusals', async () => {
    const anonymous = { 'x-anonymous': '1' };
    const me = opOf('GET', '/api/v1/auth/me');
    const noCredentials = await h.request('GET', '/api/v1/auth/me', undefined, anonymous);
    assert.equal(noCredentials.status, 401);
    assert.equal(noCredentials.headers['www-authenticate'], 'Bearer realm="tocsin"');
    assertDocumented(me, noCredentials, 'me without credentials');
    const badToken = await h.request('GET', '/api/v1/auth/me', undefined, { authorization: 'Bearer nope' });
    assertDocumented(me, badToken, 'me with an unknown token');
    assert.equal(badToken.status, 401);

    const failed = await h.request('POST', LOGIN, { loginName: 'nobody', password: 'wrong-password-1' }, anonymous);
    assert.equal(failed.status, 401);
    assertDocumented(opOf('POST', LOGIN), failed, 'a failed login');

    // A token without the permission of /metrics.
    const admin = await h.tocsin.store.identity.findUserByLoginKey('admin');
    const { token } = await h.tocsin.auth.issueToken(admin!.id, {
      name: 'openapi-viewer',
      permissions: ['operation.alarms.view'],
      environments: admin!.environments,
    });
    const denied = await h.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` });
    assert.equal(denied.status, 403);
    assertDocumented(opOf('GET', '/metrics'), denied, 'metrics without the permission');

    const login = await h.request('POST', LOGIN, { loginName: 'admin', password: ADMIN_PASSWORD }, anonymous);
    assert.equal(login.status, 200, login.text);
    const session = sessionHeaders(login);
    const { 'x-csrf-token': _csrf, ...cookieOnly } = session;
    const password = opOf('POST', '/api/v1/auth/password');
    const noCsrf = await h.request('POST', '/api/v1/auth/password', { oldPassword: 'x', newPassword: 'y' }, cookieOnly);
    assert.equal(noCsrf.status, 403);
    assertDocumented(password, noCsrf, 'a change without the CSRF token');
    const policy = await h.request(
      'POST',
      '/api/v1/auth/password',
      { oldPassword: ADMIN_PASSWORD, newPassword: 'admin' },
      session,
    );
    assert.equal(policy.status, 422);
    assert.equal(policy.json.errors[0].pointer, '/newPassword');
    assertDocumented(password, policy, 'a password the policy refuses');
    const logout = await h.request('POST', LOGOUT, undefined, session);
    assert.equal(logout.status, 204);
    assertDocumented(opOf('POST', LOGOUT), logout, 'logout');
  });

  it('documents the full alarm read model and protocol as the routes build them', async () => {
    const id = `doc-full-${++n}`;
    const raised = await h.request('POST', '/api/v1/alarms', {
      type: 'fast',
      text: 'Pump 3 pressure low',
      location: 'Engine room',
      source: { adapter: 'modbus', device: 'pump-3' },
      id,
    });
    assert.equal(raised.status, 201);
    assert.equal(raised.headers.location, `/api/v1/alarms/${id}`);
    await h.advance(1000); // the level timer fires: a `timer` entry with lateMs
    await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'reject', by: 'carol' });
    const active = await h.request('GET', `/api/v1/alarms/${id}`);
    assertValid(schemaOf('Alarm'), active.json, 'active alarm');
    assert.ok(active.json.pendingTimers.length > 0 && active.json.recipients.length > 0);
    const accepted = await h.request('POST', `/api/v1/alarms/${id}/responses`, { response: 'accept', by: 'alice' });
    assertValid(schemaOf('RespondAccepted'), accepted.json, 'respond answer');
    const ended = await h.request('GET', `/api/v1/alarms/${id}`);
    assertValid(schemaOf('Alarm'), ended.json, 'ended alarm');
    assert.equal(typeof ended.json.endedAt, 'string');
    const protocol = await h.request('GET', `/api/v1/alarms/${id}/protocol`);
    assertValid(schemaOf('Protocol'), protocol.json, 'protocol');
    assert.deepEqual(
      protocol.json.entries.map((e: { kind: string }) => e.kind),
      ['raised', 'timer', 'event', 'event'],
    );
    for (const status of ['active', 'ended']) {
      const list = await h.request('GET', `/api/v1/alarms?status=${status}`);
      assertValid(schemaOf('AlarmList'), list.json, `list ${status}`);
    }
  });

  it('the ChainCheck schema admits a broken chain answer and the Problem schema the error answers', async () => {
    assertValid(schemaOf('ChainCheck'), { ok: false, seq: 2, reason: 'entry altered (hash mismatch)' }, 'broken');
    assert.notDeepEqual(check(schemaOf('ChainCheck'), { ok: false }), []);
    const answers = [
      await h.request('GET', '/api/v1/alarms/nope-404'),
      await h.request('GET', '/no/such/route'),
      await h.request('POST', '/healthz', {}),
      await h.request('POST', '/api/v1/alarms', { type: 'generic', text: '', extra: 1 }),
      await h.request('POST', '/api/v1/alarms', '{"type":'),
    ];
    for (const r of answers) {
      assert.ok(r.status >= 400, r.text);
      assertValid(schemaOf('Problem'), r.json, `problem ${r.status}`);
      assert.equal(r.json.status, r.status);
    }
  });

  describe('the POST /api/v1/alarms request schema', () => {
    const raiseSchema = openApiDocument.paths['/api/v1/alarms']!.post!.requestBody!.content['application/json']!.schema;

    it('accepts a valid body and rejects an extra property', () => {
      const valid = { type: 'generic', text: 'Fire in cabin 7', location: 'Deck 3', id: 'fire-7' };
      assert.deepEqual(check(raiseSchema, valid), []);
      assert.deepEqual(check(raiseSchema, { ...valid, source: { adapter: 'sia', device: 'panel-1' } }), []);
      assert.deepEqual(check(raiseSchema, { ...valid, priority: 1 }), ['/priority: additional property']);
      assert.deepEqual(check(raiseSchema, { ...valid, source: { adapter: 'sia', zone: 4 } }), [
        '/source/zone: additional property',
      ]);
    });

    // Each body goes to the server too: the schema and the zod schema must agree on it (a known
    // alarm type throughout, so the server refuses only for validation).
    const pad = (s: string) => `  ${s}\n\t`;
    const bodies: readonly [string, Record<string, unknown>][] = [
      ['minimal', { type: 'generic', text: 'x' }],
      [
        'every field',
        { type: 'generic', text: 'x', location: 'y', source: { adapter: 'a', device: 'd' }, id: 'A_b-9' },
      ],
      ['extra property', { type: 'generic', text: 'x', foo: 1 }],
      ['extra property in source', { type: 'generic', text: 'x', source: { adapter: 'a', foo: 1 } }],
      ['source without adapter', { type: 'generic', text: 'x', source: { device: 'd' } }],
      ['missing text', { type: 'generic' }],
      ['missing type', { text: 'x' }],
      ['empty text', { type: 'generic', text: '' }],
      ['blank text', { type: 'generic', text: ' \n\t ' }],
      ['text of 1000', { type: 'generic', text: 'x'.repeat(1000) }],
      ['text of 1001', { type: 'generic', text: 'x'.repeat(1001) }],
      ['text of 1000 padded with whitespace (trimmed first)', { type: 'generic', text: pad('x'.repeat(1000)) }],
      ['text of 1001 padded', { type: 'generic', text: pad('x'.repeat(1001)) }],
      ['multi-line text', { type: 'generic', text: 'line 1\nline 2' }],
      ['location of 200', { type: 'generic', text: 'x', location: 'l'.repeat(200) }],
      ['location of 201', { type: 'generic', text: 'x', location: 'l'.repeat(201) }],
      ['blank location', { type: 'generic', text: 'x', location: '  ' }],
      ['null location', { type: 'generic', text: 'x', location: null }],
      ['adapter of 65', { type: 'generic', text: 'x', source: { adapter: 'a'.repeat(65) } }],
      ['device of 128', { type: 'generic', text: 'x', source: { adapter: 'a', device: 'd'.repeat(128) } }],
      ['device of 129', { type: 'generic', text: 'x', source: { adapter: 'a', device: 'd'.repeat(129) } }],
      ['type of 65', { type: 'g'.repeat(65), text: 'x' }],
      ['empty type', { type: '', text: 'x' }],
      ['numeric text', { type: 'generic', text: 42 }],
      ['id of 64', { type: 'generic', text: 'x', id: 'i'.repeat(64) }],
      ['id of 65', { type: 'generic', text: 'x', id: 'i'.repeat(65) }],
      ['id with a dot', { type: 'generic', text: 'x', id: 'a.b' }],
      ['id with a space', { type: 'generic', text: 'x', id: 'a b' }],
      ['empty id', { type: 'generic', text: 'x', id: '' }],
      ['id with a trailing newline', { type: 'generic', text: 'x', id: 'abc\n' }],
    ];

    it('judges bodies exactly as the server’s zod schema does', async () => {
      for (const [name, body] of bodies) {
        const docSays = check(raiseSchema, body).length === 0;
        // A schema-valid body with a long type is refused as an unknown type, not by validation.
        const r = await h.request('POST', '/api/v1/alarms', body);
        const serverSays = !(r.status === 422 && r.json?.type === 'urn:tocsin:problem:validation');
        assert.equal(
          docSays,
          serverSays,
          `${name}: document ${docSays ? 'accepts' : 'refuses'}, server answered ${r.status} ${r.text}`,
        );
      }
    });
  });

  describe('the configuration request schemas (generated from the zod schemas)', () => {
    const inputOf = (kind: ConfigKind) =>
      openApiDocument.paths[`/api/v1/config/${KIND_SEGMENT[kind]}/{id}`]!.put!.requestBody!.content['application/json']!
        .schema;
    /** As config-routes.ts does: `version` (what a GET answered) is dropped, then parsed with id `x1`. */
    const zodSays = (kind: ConfigKind, body: Json) => {
      const { version: _version, ...item } = body as Record<string, unknown>;
      try {
        parseItem(kind, 'x1', item);
        return true;
      } catch {
        return false;
      }
    };
    // What JSON Schema can say; the zod refinements (time zones, duplicates, placeholders) it cannot.
    const bodies: readonly [ConfigKind, string, Record<string, unknown>][] = [
      ['environment', 'minimal', { name: 'E' }],
      ['environment', 'padded name of 200', { name: ` ${'n'.repeat(200)} ` }],
      ['environment', 'name of 201', { name: 'n'.repeat(201) }],
      ['environment', 'blank name', { name: '  ' }],
      ['environment', 'bad plan ref', { name: 'E', defaultPlan: 'escalate' }],
      ['environment', 'the path id and a version sent back', { id: 'x1', name: 'E', version: 3 }],
      ['environment', 'extra property', { name: 'E', colour: 'red' }],
      ['profile', 'tone number', { name: 'P', tone: 31 }],
      ['profile', 'tone name', { name: 'P', tone: 'bell-2' }],
      ['profile', 'tone out of range', { name: 'P', tone: 32 }],
      ['profile', 'tone neither', { name: 'P', tone: 'Bell 2' }],
      ['profile', 'repeat without interval', { name: 'P', repeat: { count: 1 } }],
      ['group', 'members', { name: 'G', members: [{ kind: 'device', id: 'dect.12' }] }],
      ['group', 'member of unknown kind', { name: 'G', members: [{ kind: 'pager', id: 'p' }] }],
      ['contact', 'email', { name: 'C', email: 'a@example.org' }],
      ['contact', 'bad phone', { name: 'C', phone: 'call me' }],
      ['alarmType', 'plan as object', { name: 'T', priority: 1, plan: { id: 'escalate', version: 1 } }],
      ['alarmType', 'plan object with extra', { name: 'T', priority: 1, plan: { id: 'e', version: 1, x: 1 } }],
      ['alarmType', 'params', { name: 'T', priority: 1, params: { a: 1, b: 'x', c: true } }],
      ['alarmType', 'param name of 65', { name: 'T', priority: 1, params: { ['p'.repeat(65)]: 1 } }],
      ['alarmType', 'param of null', { name: 'T', priority: 1, params: { a: null } }],
      ['alarmType', 'missing priority', { name: 'T' }],
      ['webTemplate', 'missing text', { name: 'W', alarmType: 'generic' }],
    ];

    it('judges bodies as the zod schemas do, and accepts every example', () => {
      for (const kind of Object.keys(KIND_SEGMENT) as ConfigKind[]) {
        const example = (resolve((inputOf(kind) as Reference).$ref) as { examples: Json[] }).examples[0];
        assert.deepEqual(check(inputOf(kind), example), [], `${kind} example`);
        assert.ok(zodSays(kind, example), `${kind} example`);
      }
      for (const [kind, name, body] of bodies) {
        const docSays = check(inputOf(kind), body).length === 0;
        assert.equal(docSays, zodSays(kind, body), `${kind}, ${name}: ${check(inputOf(kind), body).join('; ')}`);
      }
    });
  });
});
