/**
 * The API tokens part of the OpenAPI document (src/http/identity-routes.ts): create a token from a
 * session, list and revoke tokens. What the identity parts share is in ./openapi-identity.ts.
 * Spread into src/http/openapi.ts.
 */
import type { ParameterObject, PathItemObject, SchemaObject } from './openapi.ts';
import { environments, epochMs, permissions, trimmed } from './openapi-identity.ts';
import { bodyErrors, json, problem, ref, response, schema, storeErrors } from './openapi-parts.ts';

const epochMsOrNull = (description: string): SchemaObject => ({ type: ['integer', 'null'], minimum: 0, description });

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
  TokenId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The token id (not its secret).',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    example: 'example-token',
  },
};

const paths: Record<string, PathItemObject> = {
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
export const tokensApi = {
  tag: { name: 'tokens', description: 'API tokens for machine clients: create from a session, list, revoke.' },
  paths,
  schemas,
  parameters,
} as const;
