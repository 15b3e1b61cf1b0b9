/**
 * The users part of the OpenAPI document (src/http/identity-routes.ts): list, create, read,
 * change, delete, lock, unlock and erase users, and an administrator's password reset. What the
 * identity parts share is in ./openapi-identity.ts. Spread into src/http/openapi.ts.
 */
import { LANGUAGES, LOGIN_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from '../domain/identity.ts';
import type { OperationObject, ParameterObject, PathItemObject, ResponseObject, SchemaObject } from './openapi.ts';
import {
  environments,
  epochMs,
  etag,
  id,
  ifMatchParam,
  ignoredVersion,
  trimmed,
  version,
  versionedBodyErrors,
  versionedErrors,
} from './openapi-identity.ts';
import { bodyErrors, json, problem, ref, response, schema, storeErrors } from './openapi-parts.ts';

const phone: SchemaObject = {
  type: 'string',
  maxLength: 32,
  pattern: '^\\s*\\+?[0-9 ()*#./-]+\\s*$',
  description: 'Digits, spaces and + ( ) * # . / -; at most 32 characters after trimming.',
};
const orNull = (s: SchemaObject): SchemaObject => ({ anyOf: [s, { type: 'null' }], description: 'null clears it.' });
const loginName: SchemaObject = {
  type: 'string',
  minLength: 1,
  maxLength: LOGIN_NAME_MAX,
  pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N}._@-]*$',
  description:
    'Letters, digits and `. _ @ -`, starting with a letter or digit. Unique without regard to case ' +
    '(`Alice` and `alice` are one account).',
};
const password = (pointer: string): SchemaObject => ({
  type: 'string',
  description:
    `The policy (refused with 422 at \`${pointer}\`): ${PASSWORD_MIN}–${PASSWORD_MAX} characters, case-sensitive, ` +
    'not `admin`, not the login name in any case, not a common password.',
});
const pin: SchemaObject = {
  type: 'string',
  pattern: '^[0-9]{4,8}$',
  description: 'The phone-menu PIN: 4–8 digits; stored hashed.',
};

const userFields = {
  loginName,
  displayName: trimmed(200, 'The name shown.'),
  phone,
  mobile: phone,
  email: { type: 'string', format: 'email', maxLength: 254 },
  language: { type: 'string', enum: [...LANGUAGES], default: 'EN' },
  startPage: {
    type: 'string',
    maxLength: 200,
    pattern: '^/(?!/)[A-Za-z0-9/_.~%?=&#-]*$',
    default: '/',
    description: 'A path inside the web UI, starting with a single /.',
  },
  userGroup: {
    ...id,
    description: 'The user group (its permissions); only a group whose permissions the caller holds.',
  },
  environments,
};

const GRANT =
  'A user group or environments beyond the caller’s own are refused as `validation` (422, "you cannot grant more ' +
  'than you hold", `errors` pointing at `/userGroup` or `/environments/<i>`), not 403.';

const schemas: Record<string, SchemaObject> = {
  User: {
    type: 'object',
    description: 'A user as AuthService answers it: no password, PIN or token hash, ever.',
    required: [
      'id',
      'loginName',
      'displayName',
      'phone',
      'mobile',
      'email',
      'language',
      'startPage',
      'userGroup',
      'environments',
      'hasPin',
      'mustChangePassword',
      'locked',
      'builtIn',
      'erased',
      'createdAt',
      'updatedAt',
      'version',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      loginName: { type: 'string' },
      displayName: { type: 'string' },
      phone: { type: ['string', 'null'] },
      mobile: { type: ['string', 'null'] },
      email: { type: ['string', 'null'] },
      language: { type: 'string', enum: [...LANGUAGES] },
      startPage: { type: 'string' },
      userGroup: { type: 'string' },
      environments: { type: 'array', items: { type: 'string' } },
      hasPin: { type: 'boolean' },
      mustChangePassword: { type: 'boolean', description: 'Until changed, the user can only change the password.' },
      locked: { type: 'boolean', description: 'Locked by too many failed logins or by an admin; an admin unlocks.' },
      builtIn: { type: 'boolean', description: 'The built-in `admin`: cannot be deleted, stays an Administrator.' },
      erased: { type: 'boolean', description: 'Personal data replaced by a pseudonym; cannot log in.' },
      createdAt: epochMs('Epoch milliseconds.'),
      updatedAt: epochMs('Epoch milliseconds.'),
      version,
    },
  },
  UserList: {
    type: 'object',
    required: ['users'],
    additionalProperties: false,
    properties: { users: { type: 'array', items: schema('User') } },
  },
  UserCreateRequest: {
    type: 'object',
    description: `A new user with its initial password (and optionally a PIN). ${GRANT}`,
    required: ['loginName', 'displayName', 'userGroup', 'environments', 'password'],
    additionalProperties: false,
    properties: {
      ...userFields,
      password: password('/password'),
      pin,
      mustChangePassword: {
        type: 'boolean',
        default: true,
        description: 'Whether the user must change the password at first login.',
      },
    },
    examples: [
      {
        loginName: 'example.user',
        displayName: 'Example User',
        email: 'example.user@example.org',
        language: 'EN',
        userGroup: 'viewer',
        environments: ['default'],
        password: 'an-example-passphrase-7',
      },
    ],
  },
  UserPatchRequest: {
    type: 'object',
    description:
      'Any subset of the user fields; `null` clears phone, mobile or e-mail; `pin` sets the PIN (`null` removes it). ' +
      `The built-in admin keeps its login name and the Administrator group (409); an erased user is not changed (409). ${GRANT}`,
    additionalProperties: false,
    properties: {
      ...userFields,
      phone: orNull(phone),
      mobile: orNull(phone),
      email: orNull({ type: 'string', format: 'email', maxLength: 254 }),
      pin: { anyOf: [pin, { type: 'null' }], description: 'Sets the PIN; null removes it.' },
      version: ignoredVersion,
    },
    examples: [{ displayName: 'Example User (night shift)', phone: '+49 30 1234567' }],
  },
  PasswordResetRequest: {
    type: 'object',
    required: ['password'],
    additionalProperties: false,
    properties: {
      password: password('/password'),
      mustChangePassword: {
        type: 'boolean',
        default: true,
        description: 'Whether the user must change it at the next login.',
      },
    },
    examples: [{ password: 'a-reset-passphrase-8', mustChangePassword: true }],
  },
  UserErased: {
    type: 'object',
    required: ['pseudonym', 'user'],
    additionalProperties: false,
    properties: {
      pseudonym: { type: 'string', pattern: '^erased-[0-9a-f]{12}$', description: 'What replaced the personal data.' },
      user: schema('User'),
    },
  },
};

const parameters: Record<string, ParameterObject> = {
  UserId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The user id (`admin` for the built-in admin).',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    example: 'example-user',
  },
};

const userErrors = { '404': response('UserNotFound'), '422': response('IdentityInvalidId'), ...storeErrors };
const userJson = (description: string): ResponseObject => ({ description, content: json(schema('User')) });
const versionedUser = (description: string): ResponseObject => ({ ...userJson(description), headers: etag });

const userAction = (action: 'lock' | 'unlock', summary: string, description: string): OperationObject => ({
  operationId: `${action}User`,
  summary,
  description,
  tags: ['users'],
  responses: { '200': userJson('The user with its new state.'), ...userErrors },
});

const paths: Record<string, PathItemObject> = {
  '/api/v1/users': {
    get: {
      operationId: 'listUsers',
      summary: 'List users',
      tags: ['users'],
      responses: { '200': { description: 'Every user.', content: json(schema('UserList')) }, ...storeErrors },
    },
    post: {
      operationId: 'createUser',
      summary: 'Create a user',
      description:
        'Creates the user with the given password (the policy applies) and, by default, a required password ' +
        'change at first login. Recorded in the access log.',
      tags: ['users'],
      requestBody: { required: true, content: json(schema('UserCreateRequest')) },
      responses: {
        '201': {
          description: 'Created.',
          headers: {
            Location: {
              description: 'The user’s URL, `/api/v1/users/{id}`.',
              required: true,
              schema: { type: 'string' },
            },
          },
          content: json(schema('User')),
        },
        ...bodyErrors,
        '409': problem('The login name is taken, in any case (`conflict`).'),
        '422': problem(
          'The body is invalid, the password or PIN is refused, or the user group does not exist (`validation`; ' +
            '`errors` lists every problem with its JSON pointer). Also: granting a group or environments the ' +
            'caller does not hold ("you cannot grant more than you hold").',
        ),
        ...storeErrors,
      },
    },
  },
  '/api/v1/users/{id}': {
    parameters: [ref('parameters', 'UserId')],
    get: {
      operationId: 'getUser',
      summary: 'Read a user',
      tags: ['users'],
      responses: { '200': versionedUser('The user.'), ...userErrors },
    },
    patch: {
      operationId: 'updateUser',
      summary: 'Change a user',
      description:
        'Changes the given fields only. With If-Match, only a user still at that version: a change made ' +
        'meanwhile by someone else is refused (412), not overwritten. Recorded in the access log.',
      tags: ['users'],
      parameters: [ifMatchParam],
      requestBody: { required: true, content: json(schema('UserPatchRequest')) },
      responses: {
        '200': versionedUser('The user as changed.'),
        ...versionedBodyErrors,
        '404': response('UserNotFound'),
        '409': problem(
          'The login name is taken, the built-in admin would lose its name or group, or the user is erased (`conflict`).',
        ),
        '422': problem(
          'The id or the body is invalid (`validation`; `errors` lists every problem), including a group or ' +
            'environments the caller does not hold ("you cannot grant more than you hold").',
        ),
        ...storeErrors,
      },
    },
    delete: {
      operationId: 'deleteUser',
      summary: 'Delete a user',
      description:
        'Deletes the user with their sessions and API tokens; with If-Match, only a user still at that version. ' +
        'Recorded in the access log.',
      tags: ['users'],
      parameters: [ifMatchParam],
      responses: {
        '204': { description: 'Deleted.' },
        '409': problem('The built-in admin cannot be deleted (`conflict`).'),
        ...versionedErrors,
        ...userErrors,
      },
    },
  },
  '/api/v1/users/{id}/password': {
    parameters: [ref('parameters', 'UserId')],
    put: {
      operationId: 'resetUserPassword',
      summary: 'Set a user’s password (administrator reset)',
      description:
        'Sets the password (the policy applies), by default to be changed at the next login, and ends every ' +
        'session of the user. An API token cannot set its own owner’s password (403; log in and use POST ' +
        '/api/v1/auth/password). Recorded in the access log.',
      tags: ['users'],
      requestBody: { required: true, content: json(schema('PasswordResetRequest')) },
      responses: {
        '204': { description: 'Set.' },
        ...bodyErrors,
        '403': problem('An API token tried to set its own owner’s password (`forbidden`).'),
        '404': response('UserNotFound'),
        '422': problem(
          'The id or the body is invalid, or the policy refuses the password (`validation`, at `/password`).',
        ),
        ...storeErrors,
      },
    },
  },
  '/api/v1/users/{id}/lock': {
    parameters: [ref('parameters', 'UserId')],
    post: userAction(
      'lock',
      'Lock a user',
      'No login and no use of the user’s API tokens until unlocked; ends the user’s sessions. Idempotent. ' +
        'Recorded in the access log.',
    ),
  },
  '/api/v1/users/{id}/unlock': {
    parameters: [ref('parameters', 'UserId')],
    post: userAction(
      'unlock',
      'Unlock a user',
      'Unlocks the account and clears its failed-login count (the only way out of a lockout). Idempotent. ' +
        'Recorded in the access log.',
    ),
  },
  '/api/v1/users/{id}/erase': {
    parameters: [ref('parameters', 'UserId')],
    post: {
      operationId: 'eraseUserPersonalData',
      summary: 'Erase a user’s personal data',
      description:
        'Replaces login name and display name by a pseudonym, clears phone, mobile, e-mail and PIN, locks the ' +
        'account, ends its sessions and revokes its API tokens. The record stays, so what refers to it still ' +
        'resolves. Irreversible. Recorded in the access log (`user.erase`).',
      tags: ['users'],
      responses: {
        '200': { description: 'Erased.', content: json(schema('UserErased')) },
        '409': problem('The built-in admin has no personal data to erase (`conflict`).'),
        ...userErrors,
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const usersApi = {
  tag: { name: 'users', description: 'Users, user groups (permission sets) and the permission tree.' },
  paths,
  schemas,
  parameters,
} as const;
