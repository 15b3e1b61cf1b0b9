/**
 * /api/v1/access-log: the access log read over HTTP — a filtered page (newest first), a streamed
 * CSV or JSON export (itself recorded as `audit.export`), and the chain check of
 * `tocsin audit verify`. Nothing here edits the log. A principal sees only the entries of its
 * environments; entries of no environment (logins, maintenance, denials) only with `*`.
 * Query parameters are validated with zod; a bad one is a 422 naming every offending parameter.
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { storeFilter } from '../domain/environments.ts';
import { TocsinError, type ProblemDetail } from '../domain/errors.ts';
import type { AccessEntry, AccessLog } from '../ports/access-log.ts';
import type { Clock } from '../ports/clock.ts';
import { verifyAccessLog } from '../runtime/access-log-chain.ts';
import { accessLogCsv, accessLogJson } from '../runtime/access-log-export.ts';
import { actorName, principalOf } from './actor.ts';

export const ACCESS_LOG_LIMIT = { default: 100, max: 500 } as const;

/** An ISO 8601 date (midnight UTC) or date-time with offset, as `tocsin audit export` takes them; epoch ms (also the protocol's). */
export const time = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => Date.parse(s));
/** A non-negative integer of at most 15 digits (a seq). */
const seq = z
  .string()
  .regex(/^[0-9]{1,15}$/, 'a non-negative integer')
  .transform(Number);
const text = z.string().min(1).max(200);

const range = { from: time.optional(), to: time.optional() };

const listQuery = z
  .object({
    ...range,
    actor: text.optional(),
    action: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?$/,
        'an action such as login or user.create, or a family: user.*',
      )
      .max(64)
      .optional(),
    outcome: z.enum(['success', 'failure', 'denied']).optional(),
    environment: text.optional(),
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, `an integer from 1 to ${ACCESS_LOG_LIMIT.max}`)
      .transform(Number)
      .pipe(z.number().min(1).max(ACCESS_LOG_LIMIT.max))
      .optional(),
    before: seq.optional(),
    after: seq.optional(),
  })
  .strict();

const exportQuery = z.object({ ...range, format: z.enum(['csv', 'json']) }).strict();

/** The query, validated; a 422 with one detail per offending parameter otherwise. */
export function parseQuery<T>(schema: z.ZodType<T>, ctx: Context): T {
  const r = schema.safeParse(ctx.query);
  if (r.success) return r.data;
  const details: ProblemDetail[] = r.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ parameter: k, reason: 'unknown query parameter' }))
      : [
          {
            parameter: String(i.path[0] ?? ''),
            // A repeated parameter arrives as an array.
            reason: i.code === 'invalid_type' && i.expected === 'string' ? 'give it once, as text' : i.message,
          },
        ],
  );
  const names = [...new Set(details.map((d) => `'${(d as { parameter: string }).parameter}'`))].join(', ');
  throw new TocsinError('validation', `the query parameters ${names} are invalid`, { details });
}

/** The environments the caller may see, for the store (undefined: all). */
function scopeOf(ctx: Context): readonly string[] | undefined {
  const principal = principalOf(ctx);
  // The auth middleware ran first; a route of this router is never public.
  if (!principal) throw new TocsinError('unauthorized', 'log in (POST /api/v1/auth/login) or send an API token');
  return storeFilter(principal.environments);
}

const iso = (ms: number) => new Date(ms).toISOString();
const listed = (e: AccessEntry) => ({ ...e, at: iso(e.at) });

/** `20261125T120000Z`: a timestamp for a file name. */
const stamp = (ms: number) =>
  iso(ms)
    .replace(/\.\d{3}/, '')
    .replace(/[-:]/g, '');

export interface AccessLogRouteDeps {
  readonly accessLog: AccessLog;
  readonly clock: Pick<Clock, 'now'>;
}

export function accessLogRoutes({ accessLog, clock }: AccessLogRouteDeps): Router {
  const r = new Router({ prefix: '/api/v1/access-log' });

  // Newest first: the newest `limit` entries with after < seq < before that match the filter,
  // and `nextBefore` to pass as `before` for the page of older ones (null on the last page).
  r.get('/', async (ctx) => {
    const q = parseQuery(listQuery, ctx);
    const limit = q.limit ?? ACCESS_LOG_LIMIT.default;
    const rows = await accessLog.list({ ...q, environments: scopeOf(ctx), limit: limit + 1, order: 'desc' });
    const page = rows.slice(0, limit);
    ctx.body = {
      entries: page.map(listed),
      nextBefore: rows.length > limit ? page[page.length - 1]!.seq : null,
    };
  });

  // Recorded before the first byte (so an export cut off midway is still on record), and
  // included in itself: the export runs up to its own entry, whatever is appended meanwhile.
  r.get('/export', async (ctx) => {
    const q = parseQuery(exportQuery, ctx);
    const environments = scopeOf(ctx);
    const now = clock.now();
    const own = await accessLog.append({
      at: now,
      actor: actorName(ctx),
      source: ctx.ip,
      action: 'audit.export',
      outcome: 'success',
      details: {
        format: q.format,
        from: q.from === undefined ? null : iso(q.from),
        to: q.to === undefined ? null : iso(q.to),
        environments: environments ?? '*',
      },
    });
    const entries = accessLog.entries({ from: q.from, to: q.to, environments, through: own.seq });
    const chunks = (q.format === 'csv' ? accessLogCsv : accessLogJson)(entries);
    // The first chunk before the headers: a database error then is still a problem answer.
    const first = await chunks.next();
    // attachment() sets a type from the extension; the explicit one (with its charset) follows.
    ctx.attachment(`tocsin-access-log-${stamp(now)}.${q.format}`);
    ctx.type = q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.body = Readable.from(
      (async function* () {
        if (!first.done) yield first.value;
        yield* chunks;
      })(),
    );
  });

  // The whole chain up to the head read first, as `tocsin audit verify` prints it.
  r.get('/verify', async (ctx) => {
    parseQuery(z.object({}).strict(), ctx);
    const head = await accessLog.head();
    const result = await verifyAccessLog(accessLog.entries({ through: head?.seq ?? 0 }), head);
    ctx.body = result.ok && head ? { ...result, head } : result;
  });

  return r;
}
