/**
 * The auth part of the OpenAPI document (src/http/auth-routes.ts): log in and out, who am I,
 * change my own settings and password. Spread into src/http/openapi.ts.
 */
import { PASSWORD_MAX, PASSWORD_MIN } from '../domain/identity.ts';
import { PERMISSION_IDS } from '../domain/permissions.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './auth.ts';
import type { HeaderObject, PathItemObject, SchemaObject } from './openapi.ts';
import { bodyErrors, json, problem, problemJson, ref, response, schema, storeErrors } from './openapi-parts.ts';

/** LoginRequest, LoginResponse, Me and MeChange. */
const schemas: Record<string, SchemaObject> = {
  LoginRequest: {
    type: 'object',
    required: ['loginName', 'password'],
    additionalProperties: false,
    properties: {
      loginName: { type: 'string', maxLength: 64, description: 'The login name; case does not matter.' },
      password: { type: 'string', maxLength: 1024, description: 'The password.' },
    },
    examples: [{ loginName: 'alice', password: 'example-passphrase' }],
  },
  LoginResponse: {
    type: 'object',
    required: ['loginName', 'mustChangePassword', 'csrfToken'],
    additionalProperties: false,
    properties: {
      loginName: { type: 'string' },
      mustChangePassword: {
        type: 'boolean',
        description:
          'True: until the password is changed (POST /api/v1/auth/password), every other operation but ' +
          'GET /api/v1/auth/me and logout answers 403.',
      },
      csrfToken: {
        type: 'string',
        description: `Send it in the \`${CSRF_HEADER}\` header with every change (any method but GET, HEAD and OPTIONS) made with this session's cookie.`,
      },
    },
  },
  Me: {
    type: 'object',
    required: ['userId', 'loginName', 'permissions', 'environments', 'mustChangePassword', 'via'],
    additionalProperties: false,
    properties: {
      userId: { type: 'string' },
      loginName: { type: 'string' },
      permissions: {
        type: 'array',
        description: 'What this principal may do (for an API token: those of its scope the owner still holds).',
        items: { type: 'string', enum: [...PERMISSION_IDS] },
      },
      environments: { type: 'array', description: 'The environments it may act in.', items: { type: 'string' } },
      mustChangePassword: { type: 'boolean' },
      via: {
        type: 'string',
        enum: ['session', 'token'],
        description: 'How the request authenticated: the session cookie or an API token.',
      },
      displayName: { type: 'string' },
      language: { type: 'string', enum: ['DE', 'DA', 'EN', 'FR', 'NL'] },
      startPage: { type: 'string', description: 'The console page the user starts on.' },
    },
  },
  MeChange: {
    type: 'object',
    required: ['language'],
    additionalProperties: false,
    properties: { language: { type: 'string', enum: ['DE', 'DA', 'EN', 'FR', 'NL'] } },
    examples: [{ language: 'DE' }],
  },
};

/** After the alarms' WebTemplateList in the document (see openapi.ts). */
const passwordSchemas: Record<string, SchemaObject> = {
  PasswordChangeRequest: {
    type: 'object',
    required: ['oldPassword', 'newPassword'],
    additionalProperties: false,
    properties: {
      oldPassword: { type: 'string', maxLength: 1024, description: 'The current password.' },
      newPassword: {
        type: 'string',
        maxLength: 1024,
        description:
          `The policy (refused with 422 at \`/newPassword\`): ${PASSWORD_MIN}–${PASSWORD_MAX} characters, ` +
          'case-sensitive, not `admin`, not the login name in any case, not a common password, and not the current one.',
      },
    },
    examples: [{ oldPassword: 'example-passphrase', newPassword: 'another-example-passphrase' }],
  },
};

const headers: Record<string, HeaderObject> = {
  SessionCookie: {
    description: `The session: \`${SESSION_COOKIE}=<id>; path=/; samesite=lax; httponly\` (and \`secure\` under TLS).`,
    required: true,
    schema: { type: 'string' },
  },
  ClearSessionCookie: {
    description: `Clears \`${SESSION_COOKIE}\` (an empty value that has expired).`,
    required: true,
    schema: { type: 'string' },
  },
};

const paths: Record<string, PathItemObject> = {
  '/api/v1/auth/login': {
    post: {
      operationId: 'login',
      summary: 'Log in',
      description:
        'Opens a server-side session (a new id each time) and sets its cookie (httpOnly, SameSite=Lax, ' +
        'Secure under TLS). An unknown name, a wrong password and a locked account get the same 401; ' +
        'after repeated failures the account is locked until an administrator unlocks it, and further ' +
        'attempts from the account or the address are throttled (429).',
      tags: ['auth'],
      requestBody: { required: true, content: json(schema('LoginRequest')) },
      responses: {
        '200': {
          description: 'Logged in.',
          headers: { 'Set-Cookie': ref('headers', 'SessionCookie') },
          content: json(schema('LoginResponse')),
        },
        ...bodyErrors,
        '401': problem('The login failed (`unauthorized`); the answer does not say why.'),
        '422': response('InvalidBody'),
        '429': {
          description: 'Too many failed logins from this account or address (`too-many-requests`).',
          headers: { 'Retry-After': ref('headers', 'RetryAfterRequired') },
          content: problemJson,
        },
        ...storeErrors,
      },
    },
  },
  '/api/v1/auth/me': {
    get: {
      operationId: 'getMe',
      summary: 'Who am I',
      description: 'The principal of the request: its user, permissions and environments, and how it authenticated.',
      tags: ['auth'],
      responses: { '200': { description: 'The principal.', content: json(schema('Me')) } },
    },
    patch: {
      operationId: 'changeMe',
      summary: 'Change my own settings',
      description: 'Only the language (the console’s language switch); recorded in the access log as `user.update`.',
      tags: ['auth'],
      requestBody: { required: true, content: json(schema('MeChange')) },
      responses: {
        '200': { description: 'Changed.', content: json(schema('Me')) },
        ...bodyErrors,
        '422': problem('Not a language Tocsin speaks, or another field (`validation`).'),
        ...storeErrors,
      },
    },
  },
  '/api/v1/auth/password': {
    post: {
      operationId: 'changePassword',
      summary: 'Change my password',
      description:
        'Checks the current password (a wrong one counts towards throttling like a failed login), ' +
        'clears a required password change, and ends every other session of the user (the one that ' +
        'sent the request stays).',
      tags: ['auth'],
      requestBody: { required: true, content: json(schema('PasswordChangeRequest')) },
      responses: {
        '204': { description: 'Changed.' },
        ...bodyErrors,
        '403': problem('The current password is wrong (`forbidden`).'),
        '422': problem(
          'The body does not match the schema, or the policy refuses the new password (`validation`, at `/newPassword`).',
        ),
        '429': problem('Too many failed attempts (`too-many-requests`); try again later.'),
        ...storeErrors,
      },
    },
  },
  '/api/v1/auth/logout': {
    post: {
      operationId: 'logout',
      summary: 'Log out',
      description: 'Ends the session of the cookie and clears the cookie. With an API token it ends nothing.',
      tags: ['auth'],
      responses: {
        '204': {
          description: 'Logged out.',
          headers: { 'Set-Cookie': ref('headers', 'ClearSessionCookie') },
        },
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const authApi = {
  tag: { name: 'auth', description: 'Log in and out, who am I, change my password.' },
  paths,
  schemas,
  passwordSchemas,
  headers,
} as const;
