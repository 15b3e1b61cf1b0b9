/**
 * The users, user groups, permissions and API tokens part of the OpenAPI document
 * (src/http/identity-routes.ts), spread into src/http/openapi.ts. Hand-written from the zod
 * schemas of src/domain/identity.ts (what JSON Schema cannot say, e.g. "no environment twice",
 * the descriptions say in words). Times are epoch milliseconds, as AuthService answers them.
 * Versions, ETag and If-Match work as in the configuration API: the `IfMatch` parameter and the
 * `ETag` header are the components openapi-config.ts defines.
 */
import { LANGUAGES, LOGIN_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from '../domain/identity.ts';
import { PERMISSION_IDS } from '../domain/permissions.ts';
import type { OperationObject, ParameterObject, PathItemObject, ResponseObject, SchemaObject } from './openapi.ts';
import { ref, schema, response, json, problem, storeErrors } from './openapi-parts.ts';

const ID = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const id: SchemaObject = { type: 'string', pattern: ID };
const epochMs = (description: string): SchemaObject => ({ type: 'integer', minimum: 0, description });
const epochMsOrNull = (description: string): SchemaObject => ({ type: ['integer', 'null'], minimum: 0, description });
/** `z.string().trim().min(1).max(max)` without control characters. */
const trimmed = (max: number, description: string): SchemaObject => ({
  type: 'string',
  pattern: `^\\s*[^\\s\\u0000-\\u001f\\u007f](?:[^\\u0000-\\u001f\\u007f]{0,${max - 2}}[^\\s\\u0000-\\u001f\\u007f])?\\s*$`,
  description: `${description} 1–${max} characters after trimming, no control characters.`,
});
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
const environments: SchemaObject = {
  type: 'array',
  minItems: 1,
  maxItems: 100,
  items: id,
  description: 'Environment ids, no environment twice; only environments the caller holds can be granted.',
};
const permissions: SchemaObject = {
  type: 'array',
  maxItems: 200,
  items: { type: 'string', enum: [...PERMISSION_IDS] },
  description: 'Permission ids (GET /api/v1/permissions), no permission twice.',
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

const version: SchemaObject = {
  type: 'integer',
  minimum: 1,
  description: 'The record’s version: 1 at creation, +1 per change (also in the ETag header).',
};
/** What GET answered may be sent back: its version is ignored (send it in If-Match instead). */
const ignoredVersion: SchemaObject = {
  type: 'integer',
  description: 'Ignored, so that what GET answered can be sent back; the version check is If-Match.',
};

const GRANT =
  'A user group or environments beyond the caller’s own are refused as `validation` (422, "you cannot grant more ' +
  'than you hold", `errors` pointing at `/userGroup` or `/environments/<i>`), not 403.';

const tokenInfo = {
  type: 'object',
  description: 'An API token without its secret (only a hash is stored).',
  required: [
    'id',
    'name',
    'ownerId',
    'permissions',
    'environments',
    'createdAt',
    'expiresAt',
    'revokedAt',
    'lastUsedAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    ownerId: { type: 'string', description: 'The user it acts for.' },
    permissions: { type: 'array', items: { type: 'string' } },
    environments: { type: 'array', items: { type: 'string' } },
    createdAt: epochMs('Epoch milliseconds.'),
    expiresAt: epochMsOrNull('Epoch milliseconds; null: no expiry.'),
    revokedAt: epochMsOrNull('Epoch milliseconds; null while not revoked.'),
    lastUsedAt: epochMsOrNull('Epoch milliseconds; null if never used.'),
  },
} as const;

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
  UserGroup: {
    type: 'object',
    required: ['id', 'name', 'description', 'permissions', 'version'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSION_IDS] } },
      version,
    },
  },
  UserGroupList: {
    type: 'object',
    required: ['groups'],
    additionalProperties: false,
    properties: { groups: { type: 'array', items: schema('UserGroup') } },
  },
  UserGroupInput: {
    type: 'object',
    description:
      'The whole group. Permissions the caller does not hold are refused as `validation` (422, "you cannot grant ' +
      'more than you hold", `errors` at `/permissions/<i>`), not 403. The Administrator group keeps every ' +
      'permission (409).',
    required: ['name', 'permissions'],
    additionalProperties: false,
    properties: {
      id: { ...id, description: 'Optional; when given it must be the id in the path.' },
      name: trimmed(200, 'The group’s name.'),
      description: { type: 'string', maxLength: 1000, default: '' },
      permissions,
      version: ignoredVersion,
    },
    examples: [
      {
        name: 'Night desk',
        description: 'Sees alarms and the protocol.',
        permissions: ['operation.alarms.view', 'operation.protocol'],
      },
    ],
  },
  PermissionInfo: {
    type: 'object',
    required: ['id', 'label', 'section', 'origin'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', enum: [...PERMISSION_IDS] },
      label: { type: 'string', description: 'English; the UI translates. `›` separates the levels of the tree.' },
      section: { type: 'string', enum: ['General', 'Operation', 'Administration', 'System'] },
      origin: {
        type: 'string',
        enum: ['guidelines', 'tocsin'],
        description: '`guidelines`: a node of the security guidelines’ tree; `tocsin`: an addition the API needs.',
      },
    },
  },
  PermissionNode: {
    description: 'A node of the tree: a permission (leaf) or a heading with children.',
    oneOf: [
      {
        type: 'object',
        required: ['id', 'label', 'origin'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', enum: [...PERMISSION_IDS] },
          label: { type: 'string' },
          origin: { type: 'string', enum: ['guidelines', 'tocsin'] },
        },
      },
      {
        type: 'object',
        required: ['label', 'children'],
        additionalProperties: false,
        properties: {
          label: { type: 'string' },
          children: { type: 'array', minItems: 1, items: schema('PermissionNode') },
        },
      },
    ],
  },
  Permissions: {
    type: 'object',
    required: ['permissions', 'tree'],
    additionalProperties: false,
    properties: {
      permissions: { type: 'array', items: schema('PermissionInfo'), description: 'Every permission, in tree order.' },
      tree: {
        type: 'array',
        items: schema('PermissionNode'),
        description: 'Sections (General, Operation, Administration, System), then headings, then permissions.',
      },
    },
  },
  TokenInfo: tokenInfo,
  TokenList: {
    type: 'object',
    required: ['tokens'],
    additionalProperties: false,
    properties: { tokens: { type: 'array', items: schema('TokenInfo') } },
  },
  TokenCreateRequest: {
    type: 'object',
    description:
      'The scope: permissions (at least one) and environments, each a subset of the creator’s. A scope wider than ' +
      'the creator’s is refused as `validation` (422, `errors` at `/permissions/<i>` or `/environments/<i>`), not 403. ' +
      'At every use the token holds no more than its owner holds then.',
    required: ['name', 'permissions', 'environments'],
    additionalProperties: false,
    properties: {
      name: trimmed(200, 'What the token is for.'),
      permissions,
      environments,
      expiresAt: {
        type: ['integer', 'null'],
        description: 'Epoch milliseconds in the future; null or absent: no expiry.',
      },
    },
    examples: [{ name: 'Example integration', permissions: ['operation.alarms.view'], environments: ['default'] }],
  },
  TokenCreated: {
    type: 'object',
    description: 'The token’s info and its secret. The secret is answered this once; store it now.',
    required: [...tokenInfo.required, 'token'],
    additionalProperties: false,
    properties: {
      ...tokenInfo.properties,
      token: {
        type: 'string',
        pattern: '^tocsin_[A-Za-z0-9_-]+$',
        description: 'The secret: send it as `Authorization: Bearer <token>`.',
      },
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
  UserGroupId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The user group id.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    example: 'example-group',
  },
  TokenId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The token id (not its secret).',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    example: 'example-token',
  },
};

const responses: Record<string, ResponseObject> = {
  UserNotFound: problem('No such user (`not-found`).'),
  IdentityInvalidId: problem('The id in the path is malformed (`validation`; `errors` names it).'),
  IdentityVersionMismatch: problem(
    'If-Match names another version than the current one: someone changed the record meanwhile ' +
      '(`precondition-failed`); nothing was written. Read it again.',
  ),
  IdentityBadBody: problem('Malformed JSON, or If-Match is not one quoted version (`bad-request`).'),
  IdentityBadIfMatch: problem('If-Match is not one quoted version (`bad-request`).'),
};

const bodyErrors = {
  '400': response('BadRequest'),
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedMediaType'),
};
/** A change that takes If-Match: its body errors, a malformed If-Match, a stale version. */
const versionedBodyErrors = {
  ...bodyErrors,
  '400': response('IdentityBadBody'),
  '412': response('IdentityVersionMismatch'),
};
const versionedErrors = { '400': response('IdentityBadIfMatch'), '412': response('IdentityVersionMismatch') };
const ifMatchParam = ref('parameters', 'IfMatch');
const etag = { ETag: ref('headers', 'ETag') };
const userErrors = { '404': response('UserNotFound'), '422': response('IdentityInvalidId'), ...storeErrors };
const userJson = (description: string): ResponseObject => ({ description, content: json(schema('User')) });
const versionedUser = (description: string): ResponseObject => ({ ...userJson(description), headers: etag });
const versionedGroup = (description: string): ResponseObject => ({
  description,
  headers: etag,
  content: json(schema('UserGroup')),
});

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
  '/api/v1/user-groups': {
    get: {
      operationId: 'listUserGroups',
      summary: 'List user groups',
      description: 'Each group is a set of permissions.',
      tags: ['users'],
      responses: { '200': { description: 'Every group.', content: json(schema('UserGroupList')) }, ...storeErrors },
    },
  },
  '/api/v1/user-groups/{id}': {
    parameters: [ref('parameters', 'UserGroupId')],
    put: {
      operationId: 'putUserGroup',
      summary: 'Create or replace a user group',
      description:
        'With If-Match, only a group still at that version (`"0"`: only a new group): a change made meanwhile ' +
        'by someone else is refused (412), not overwritten. Recorded in the access log.',
      tags: ['users'],
      parameters: [ifMatchParam],
      requestBody: { required: true, content: json(schema('UserGroupInput')) },
      responses: {
        '200': versionedGroup('Replaced.'),
        '201': versionedGroup('Created.'),
        ...versionedBodyErrors,
        '409': problem('The Administrator group would lose a permission (`conflict`).'),
        '422': problem(
          'The id or the body is invalid (`validation`; `errors` lists every problem), including permissions the ' +
            'caller does not hold ("you cannot grant more than you hold").',
        ),
        ...storeErrors,
      },
    },
    get: {
      operationId: 'getUserGroup',
      summary: 'Read a user group',
      tags: ['users'],
      responses: {
        '200': versionedGroup('The group.'),
        '404': problem('No such user group (`not-found`).'),
        '422': response('IdentityInvalidId'),
        ...storeErrors,
      },
    },
    delete: {
      operationId: 'deleteUserGroup',
      summary: 'Delete a user group',
      description:
        'Only a group no user belongs to, and with If-Match only one still at that version; the Administrator ' +
        'group stays. Recorded in the access log.',
      tags: ['users'],
      parameters: [ifMatchParam],
      responses: {
        '204': { description: 'Deleted.' },
        ...versionedErrors,
        '404': problem('No such user group (`not-found`).'),
        '409': problem('Users still belong to the group, or it is the Administrator group (`conflict`).'),
        '422': response('IdentityInvalidId'),
        ...storeErrors,
      },
    },
  },
  '/api/v1/permissions': {
    get: {
      operationId: 'listPermissions',
      summary: 'The permission tree',
      description:
        'Every permission with its label, as a list and as the security guidelines’ tree (for a UI that edits user ' +
        'groups). The same for everyone.',
      tags: ['users'],
      responses: { '200': { description: 'The permissions.', content: json(schema('Permissions')) } },
    },
  },
  '/api/v1/tokens': {
    get: {
      operationId: 'listTokens',
      summary: 'List API tokens',
      description:
        'The caller’s own tokens; with the permission `administration.users.edit`, every user’s. Revoked and ' +
        'expired tokens are listed too. Never a secret.',
      tags: ['tokens'],
      responses: { '200': { description: 'The tokens.', content: json(schema('TokenList')) }, ...storeErrors },
    },
    post: {
      operationId: 'createToken',
      summary: 'Create an API token',
      description:
        'For the calling user, from a logged-in session only (cookie and CSRF token): a request authenticated ' +
        'with an API token is refused with 409 (`conflict`), so a token cannot mint tokens. Answers the secret ' +
        'once; only its hash is stored. Recorded in the access log.',
      tags: ['tokens'],
      requestBody: { required: true, content: json(schema('TokenCreateRequest')) },
      responses: {
        '201': { description: 'Created; `token` is the secret.', content: json(schema('TokenCreated')) },
        ...bodyErrors,
        '409': problem('The request was authenticated with an API token, not a session (`conflict`).'),
        '422': problem(
          'The body is invalid, `expiresAt` is not in the future, or the scope exceeds the caller’s (`validation`; ' +
            '`errors` lists every problem).',
        ),
        ...storeErrors,
      },
    },
  },
  '/api/v1/tokens/{id}': {
    parameters: [ref('parameters', 'TokenId')],
    delete: {
      operationId: 'revokeToken',
      summary: 'Revoke an API token',
      description:
        'For good; idempotent. The caller’s own token, or with `administration.users.edit` any token; anyone ' +
        'else’s token answers 404 like an unknown one. Recorded in the access log.',
      tags: ['tokens'],
      responses: {
        '204': { description: 'Revoked (or already revoked).' },
        '404': problem('No such token, or not one the caller may revoke (`not-found`).'),
        '422': response('IdentityInvalidId'),
        ...storeErrors,
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const identityApi = {
  tags: [
    { name: 'users', description: 'Users, user groups (permission sets) and the permission tree.' },
    { name: 'tokens', description: 'API tokens for machine clients: create from a session, list, revoke.' },
  ],
  paths,
  schemas,
  responses,
  parameters,
} as const;
