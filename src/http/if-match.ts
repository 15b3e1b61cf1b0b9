/**
 * Optimistic concurrency over HTTP, as the configuration and identity APIs do it: a record's
 * version is its strong ETag (`"3"`), a change may send it back in If-Match, and a stale one is
 * the service's 412 `precondition-failed`.
 */
import type { Context } from 'koa';
import { TocsinError } from '../domain/errors.ts';

/** `If-Match: "3"` → 3; absent → undefined; anything else → 400 `bad-request`. */
export function ifMatch(ctx: Context): number | undefined {
  const h = ctx.get('If-Match');
  if (!h) return undefined;
  const m = /^"(0|[1-9][0-9]{0,8})"$/.exec(h.trim());
  if (!m)
    throw new TocsinError('bad-request', 'If-Match must be one quoted version, e.g. "3" ("0": must not exist yet)');
  return Number(m[1]);
}

/** Sets the ETag of a record at `version`. */
export function setETag(ctx: Context, version: number): void {
  ctx.set('ETag', `"${version}"`);
}

/** A client may send back what it read: the `version` member is not part of the record. */
export function stripVersion<T>(body: T): T {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'version' in body) {
    const { version: _v, ...rest } = body as Record<string, unknown>;
    return rest as T;
  }
  return body;
}
