/**
 * The OpenAPI 3.1 description of the HTTP API, served at GET /api/v1/openapi.json: the document's
 * head (info, servers, security, tags), the components every part shares (the problem schemas,
 * the common error answers and headers, the security schemes), and the merge of the parts, one
 * module each: ./openapi-ops.ts, ./openapi-plans.ts, ./openapi-auth.ts, ./openapi-alarms.ts,
 * ./openapi-config.ts, ./openapi-users.ts, ./openapi-user-groups.ts, ./openapi-tokens.ts and the
 * others imported below. It describes what src/http/app.ts and its routers do; test/unit/openapi.test.ts
 * keeps the two in step (every router path documented and vice versa, request schemas judged like
 * the zod schemas, live responses valid against the response schemas). What each operation needs
 * is generated from ROUTE_ACCESS in ./route-access.ts (./openapi-route-access.ts), the table the
 * auth middleware enforces, so the two cannot drift apart. The parts are spread in the order the
 * served document has always had: keep it, the JSON is compared byte for byte when code moves.
 */
import { CSRF_HEADER, SESSION_COOKIE } from './auth.ts';
import { accessLogApi } from './openapi-access-log.ts';
import { alarmsApi } from './openapi-alarms.ts';
import { authApi } from './openapi-auth.ts';
import { configApi } from './openapi-config.ts';
import { identityApi } from './openapi-identity.ts';
import { operationApi } from './openapi-operation.ts';
import { opsApi } from './openapi-ops.ts';
import { problem, problemJson, ref, schema } from './openapi-parts.ts';
import { phonesApi } from './openapi-phones.ts';
import { plansApi } from './openapi-plans.ts';
import { protocolApi } from './openapi-protocol.ts';
import { replayApi } from './openapi-replay.ts';
import { withAccess } from './openapi-route-access.ts';
import { systemApi } from './openapi-system.ts';
import { tokensApi } from './openapi-tokens.ts';
import { userGroupsApi } from './openapi-user-groups.ts';
import { usersApi } from './openapi-users.ts';

export { accessKey } from './openapi-route-access.ts';

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect) or a reference to one. */
export interface SchemaObject {
  readonly [keyword: string]: unknown;
}
export interface Reference {
  readonly $ref: string;
}
export interface MediaTypeObject {
  readonly schema: SchemaObject | Reference;
  readonly example?: unknown;
}
export interface HeaderObject {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: SchemaObject | Reference;
}
export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject | Reference>>;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
}
export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly description?: string;
  readonly schema: SchemaObject | Reference;
  /** A value the operation answers to with success (test/unit/openapi.test.ts sends it). */
  readonly example?: unknown;
}
export interface RequestBodyObject {
  readonly required: boolean;
  readonly description?: string;
  readonly content: Readonly<Record<string, MediaTypeObject>>;
}
/** Scheme names of `components.securitySchemes`, each with its (empty) scope list. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;
export type SecuritySchemeObject =
  | { readonly type: 'http'; readonly scheme: 'bearer'; readonly description: string }
  | { readonly type: 'apiKey'; readonly in: 'cookie' | 'header'; readonly name: string; readonly description: string };
export interface OperationObject {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly (ParameterObject | Reference)[];
  readonly requestBody?: RequestBodyObject;
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
  /** `[]` on the public operations; the others inherit the document's requirement. */
  readonly security?: readonly SecurityRequirement[];
}
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
export type PathItemObject = { readonly [M in HttpMethod]?: OperationObject } & {
  readonly parameters?: readonly (ParameterObject | Reference)[];
};
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly jsonSchemaDialect: string;
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly summary: string;
    readonly description: string;
    readonly license: { readonly name: string; readonly identifier: string };
  };
  readonly servers: readonly { readonly url: string; readonly description: string }[];
  readonly security: readonly SecurityRequirement[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, PathItemObject>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, SchemaObject>>;
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly parameters: Readonly<Record<string, ParameterObject>>;
    readonly headers: Readonly<Record<string, HeaderObject>>;
    readonly securitySchemes: Readonly<Record<string, SecuritySchemeObject>>;
  };
}

/** The id pattern of alarm-routes.ts (alarm ids, responder and canceller ids). */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

/** The schemas every part refers to: the problem of every error answer, and the id. */
const schemas: Record<string, SchemaObject> = {
  Problem: {
    type: 'object',
    description:
      'An RFC 9457 problem. Only 4xx answers carry a specific detail; 5xx answers carry a generic one, never a stack trace.',
    required: ['type', 'title', 'status'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        pattern: '^urn:tocsin:problem:[a-z-]+$',
        description:
          'Stable, machine-readable problem type: urn:tocsin:problem: followed by bad-request, unauthorized, ' +
          'forbidden, validation, not-found, method-not-allowed, unknown-alarm-type, alarm-ended, conflict, ' +
          'precondition-failed, payload-too-large, unsupported-media-type, too-many-requests, unavailable or internal.',
        examples: ['urn:tocsin:problem:validation'],
      },
      title: {
        type: 'string',
        description: 'The HTTP reason phrase of `status`.',
        examples: ['Unprocessable Content'],
      },
      status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code of this answer.' },
      detail: { type: 'string', description: 'What went wrong with this request.' },
      instance: { type: 'string', format: 'uri-reference', description: 'The request path.' },
      errors: {
        type: 'array',
        description:
          'For validation problems: every offending field, one entry each (at most 100; `detail` then says how many there were).',
        items: schema('ProblemError'),
      },
    },
  },
  ProblemError: {
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: {
      pointer: {
        type: 'string',
        description:
          'Where the offending value is, as a JSON Pointer (RFC 6901) into the request body, e.g. `/text` or `/source/adapter`.',
      },
      parameter: {
        type: 'string',
        description: 'The offending path or query parameter, e.g. `id` (instead of `pointer`).',
      },
      reason: { type: 'string', description: 'Why the value was refused.' },
    },
  },
  Id: {
    type: 'string',
    pattern: ID_PATTERN,
    description: '1–64 of A–Z a–z 0–9 _ -',
    examples: ['boiler-room-7'],
  },
};

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
  info: {
    title: 'Tocsin',
    version: '0.1.0',
    summary: 'Open, on-premise alarm server.',
    description:
      'Every alarm is an actor with durable escalation timers and a tamper-evident, hash-chained protocol.\n\n' +
      '**Authentication.** Every operation but liveness, readiness, this document and login needs ' +
      'credentials: an API token (`Authorization: Bearer <token>`, scheme `bearer`) or the session cookie ' +
      `\`${SESSION_COOKIE}\` that POST /api/v1/auth/login sets (scheme \`cookie\`). A change (any method but ` +
      `GET, HEAD and OPTIONS) made with the cookie must also send the session's CSRF token in \`${CSRF_HEADER}\`. ` +
      'Without valid credentials an operation answers 401 (`WWW-Authenticate: Bearer realm="tocsin"`); ' +
      'without the permission its description names, or before a required password change, 403.\n\n' +
      '**Loopback only without TLS.** Authentication is always required; the server binds to another address ' +
      'than loopback (127.0.0.1, ::1 or localhost) only with `TOCSIN_TLS=on`, so that passwords, session cookies ' +
      'and tokens never cross a network in clear.\n\n' +
      'Request bodies are JSON only (`Content-Type: application/json`), at most 64 KiB. Every error answer ' +
      'is `application/problem+json` (RFC 9457, schema `Problem`); a method a path does not support answers ' +
      '405 with an `Allow` header, an unknown path 404. A refused request changes no data (refused logins and ' +
      'permissions are recorded in the access log, and failed logins count towards throttling).',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [
    {
      url: 'http://127.0.0.1:8080',
      description: 'The default bind address (loopback; another address needs TOCSIN_TLS=on).',
    },
  ],
  security: [{ bearer: [] }, { cookie: [] }],
  tags: [
    alarmsApi.tag,
    authApi.tag,
    opsApi.tag,
    plansApi.tag,
    configApi.tag,
    usersApi.tag,
    tokensApi.tag,
    accessLogApi.tag,
    phonesApi.tag,
    replayApi.tag,
    protocolApi.tag,
    systemApi.tag,
  ],
  paths: withAccess({
    ...opsApi.paths,
    ...plansApi.paths,
    ...opsApi.documentPaths,
    ...authApi.paths,
    ...alarmsApi.paths,
    ...configApi.paths,
    ...usersApi.paths,
    ...userGroupsApi.paths,
    ...tokensApi.paths,
    ...accessLogApi.paths,
    ...phonesApi.paths,
    ...replayApi.paths,
    ...protocolApi.paths,
    ...systemApi.paths,
    ...operationApi.paths,
  }),
  components: {
    // Where a part is spread in two pieces (alarms and auth here, ops in the paths), that is the
    // order the document has always had.
    schemas: {
      ...plansApi.schemas,
      ...schemas,
      ...alarmsApi.schemas,
      ...authApi.schemas,
      ...alarmsApi.templateSchemas,
      ...authApi.passwordSchemas,
      ...opsApi.schemas,
      ...configApi.schemas,
      ...usersApi.schemas,
      ...userGroupsApi.schemas,
      ...tokensApi.schemas,
      ...accessLogApi.schemas,
      ...phonesApi.schemas,
      ...replayApi.schemas,
      ...protocolApi.schemas,
      ...systemApi.schemas,
      ...operationApi.schemas,
    },
    responses: {
      BadRequest: problem('Malformed JSON, or a JSON body that is not an object or array (`bad-request`).'),
      ...alarmsApi.responses,
      PayloadTooLarge: problem('The body is larger than 64 KiB (`payload-too-large`).'),
      UnsupportedMediaType: problem('The body is not `application/json` (`unsupported-media-type`).'),
      InvalidBody: problem('The body does not match the schema (`validation`); `errors` lists every offending field.'),
      InvalidId: problem('The id in the path does not match the id pattern (`validation`).'),
      Unavailable: {
        description:
          'The database or the scheduler cannot be reached (`unavailable`); the request did not complete; retry it (a raise with an `id` is safe to retry).',
        headers: { 'Retry-After': ref('headers', 'RetryAfter') },
        content: problemJson,
      },
      Internal: problem('The server failed (`internal`); the error is logged, the answer carries no details.'),
      Unauthorized: {
        description:
          'No credentials, an unknown or expired session, a malformed `Authorization` header, or an unknown, ' +
          'revoked or expired API token (`unauthorized`). Log in (POST /api/v1/auth/login) or send an API token.',
        headers: { 'WWW-Authenticate': ref('headers', 'WWWAuthenticate') },
        content: problemJson,
      },
      ...plansApi.responses,
      ...configApi.responses,
      ...identityApi.responses,
    },
    parameters: {
      ...configApi.parameters,
      ...usersApi.parameters,
      ...userGroupsApi.parameters,
      ...tokensApi.parameters,
      CsrfToken: {
        name: CSRF_HEADER,
        in: 'header',
        required: false,
        description:
          "The session's CSRF token (`csrfToken` of the login answer); required when the request authenticates " +
          'with the session cookie, ignored with an API token.',
        schema: { type: 'string' },
      },
      ...alarmsApi.parameters,
      ...plansApi.parameters,
    },
    headers: {
      ...alarmsApi.headers,
      ...plansApi.headers,
      RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
      RetryAfterRequired: {
        description: 'Seconds to wait before trying again.',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
      WWWAuthenticate: {
        description:
          'The scheme to authenticate with, `Bearer realm="tocsin"`; sent when the request carried no valid ' +
          'session and no Authorization header.',
        schema: { type: 'string' },
      },
      ...authApi.headers,
      ...configApi.headers,
    },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API token: `Authorization: Bearer <token>`. It acts for its owner, limited to its scope ' +
          '(permissions and environments), until it expires or is revoked.',
      },
      cookie: {
        type: 'apiKey',
        in: 'cookie',
        name: SESSION_COOKIE,
        description:
          'The session cookie of POST /api/v1/auth/login. A change made with it (any method but GET, HEAD and ' +
          `OPTIONS) must also carry the session's CSRF token (\`csrfToken\` of the login answer) in \`${CSRF_HEADER}\`; ` +
          'a session ends after a while idle, after a fixed lifetime, at logout, and when its password changes elsewhere.',
      },
    },
  },
};
