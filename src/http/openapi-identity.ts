/**
 * What the identity parts of the OpenAPI document share: ./openapi-users.ts, ./openapi-user-groups.ts
 * and ./openapi-tokens.ts (src/http/identity-routes.ts). Hand-written from the zod schemas of
 * src/domain/identity.ts (what JSON Schema cannot say, e.g. "no environment twice", the
 * descriptions say in words). Times are epoch milliseconds, as AuthService answers them.
 * Versions, ETag and If-Match work as in the configuration API: the `IfMatch` parameter and the
 * `ETag` header are the components openapi-config.ts defines. The error answers here are spread
 * into src/http/openapi.ts.
 */
import { PERMISSION_IDS } from '../domain/permissions.ts';
import type { ResponseObject, SchemaObject } from './openapi.ts';
import { bodyErrors, problem, ref, response } from './openapi-parts.ts';

const ID = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
export const id: SchemaObject = { type: 'string', pattern: ID };
export const epochMs = (description: string): SchemaObject => ({ type: 'integer', minimum: 0, description });
/** `z.string().trim().min(1).max(max)` without control characters. */
export const trimmed = (max: number, description: string): SchemaObject => ({
  type: 'string',
  pattern: `^\\s*[^\\s\\u0000-\\u001f\\u007f](?:[^\\u0000-\\u001f\\u007f]{0,${max - 2}}[^\\s\\u0000-\\u001f\\u007f])?\\s*$`,
  description: `${description} 1–${max} characters after trimming, no control characters.`,
});
export const environments: SchemaObject = {
  type: 'array',
  minItems: 1,
  maxItems: 100,
  items: id,
  description: 'Environment ids, no environment twice; only environments the caller holds can be granted.',
};
export const permissions: SchemaObject = {
  type: 'array',
  maxItems: 200,
  items: { type: 'string', enum: [...PERMISSION_IDS] },
  description: 'Permission ids (GET /api/v1/permissions), no permission twice.',
};

export const version: SchemaObject = {
  type: 'integer',
  minimum: 1,
  description: 'The record’s version: 1 at creation, +1 per change (also in the ETag header).',
};
/** What GET answered may be sent back: its version is ignored (send it in If-Match instead). */
export const ignoredVersion: SchemaObject = {
  type: 'integer',
  description: 'Ignored, so that what GET answered can be sent back; the version check is If-Match.',
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

/** A change that takes If-Match: its body errors, a malformed If-Match, a stale version. */
export const versionedBodyErrors = {
  ...bodyErrors,
  '400': response('IdentityBadBody'),
  '412': response('IdentityVersionMismatch'),
};
export const versionedErrors = { '400': response('IdentityBadIfMatch'), '412': response('IdentityVersionMismatch') };
export const ifMatchParam = ref('parameters', 'IfMatch');
export const etag = { ETag: ref('headers', 'ETag') };

/** What openapi.ts spreads into its document. */
export const identityApi = { responses } as const;
