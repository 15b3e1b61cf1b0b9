/**
 * /api/v1/protocol: the operation protocol — alarms with who was notified and who responded,
 * filtered (raised time, type, location, user, status, plan state) and paged newest first, and
 * their streamed CSV or JSON export (recorded in the access log as `protocol.export` before the
 * first byte). A caller sees only the alarms of its environments: another environment's alarm
 * never appears, whatever the filter. Query parameters are validated with zod; a bad one is a
 * 422 naming every offending parameter (as the access log's routes).
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { storeFilter } from '../domain/environments.ts';
import { TocsinError } from '../domain/errors.ts';
import type { AccessLog } from '../ports/access-log.ts';
import type { AlarmQuery, AlarmStore } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import { parseQuery, time } from './access-log-routes.ts';
import { actorName, principalOf } from './actor.ts';
import { protocolBatches, protocolCsv, protocolJson, protocolRows } from './protocol-export.ts';

export const PROTOCOL_LIMIT = { default: 100, max: 500 } as const;

const text = (max: number) => z.string().min(1).max(max);

/** `<raisedAt epoch ms>.<alarm id>`: the last alarm of the previous page. */
const cursor = z
  .string()
  .regex(/^[0-9]{1,15}\.[^.]/, 'the nextBefore of the previous page')
  .max(220)
  .transform((s) => {
    const dot = s.indexOf('.');
    return { raisedAt: Number(s.slice(0, dot)), id: s.slice(dot + 1) };
  });

const filters = {
  from: time.optional(),
  to: time.optional(),
  type: text(64).optional(),
  location: text(200).optional(),
  user: text(200).optional(),
  status: z.enum(['active', 'ended']).optional(),
  state: text(200).optional(),
};

const listQuery = z
  .object({
    ...filters,
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, `an integer from 1 to ${PROTOCOL_LIMIT.max}`)
      .transform(Number)
      .pipe(z.number().min(1).max(PROTOCOL_LIMIT.max))
      .optional(),
    before: cursor.optional(),
  })
  .strict();

const exportQuery = z.object({ ...filters, format: z.enum(['csv', 'json']) }).strict();

type Filters = z.infer<z.ZodObject<typeof filters>>;

/** The store query for `f` within the caller's environments. */
function storeQuery(ctx: Context, f: Filters): Omit<AlarmQuery, 'limit'> {
  const principal = principalOf(ctx);
  // The auth middleware ran first; a route of this router is never public.
  if (!principal) throw new TocsinError('unauthorized', 'log in (POST /api/v1/auth/login) or send an API token');
  const environments = storeFilter(principal.environments);
  const q: { -readonly [K in keyof AlarmQuery]?: AlarmQuery[K] } = {};
  for (const k of ['from', 'to', 'type', 'location', 'user', 'status', 'state'] as const)
    if (f[k] !== undefined) (q as Record<string, unknown>)[k] = f[k];
  if (environments) q.environments = environments;
  return q;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `20261125T120000Z`: a timestamp for a file name. */
const stamp = (ms: number) =>
  iso(ms)
    .replace(/\.\d{3}/, '')
    .replace(/[-:]/g, '');

export interface ProtocolRouteDeps {
  readonly store: AlarmStore;
  readonly accessLog: AccessLog;
  readonly clock: Pick<Clock, 'now'>;
}

export function protocolRoutes({ store, accessLog, clock }: ProtocolRouteDeps): Router {
  const r = new Router({ prefix: '/api/v1/protocol' });

  // Newest raised first: `limit` alarms after the cursor `before`, and `nextBefore` for the
  // next (older) page, null on the last one.
  r.get('/', async (ctx) => {
    const { limit: l, before, ...f } = parseQuery(listQuery, ctx);
    const limit = l ?? PROTOCOL_LIMIT.default;
    const alarms = await store.queryAlarms({ ...storeQuery(ctx, f), limit: limit + 1, ...(before ? { before } : {}) });
    const page = alarms.slice(0, limit);
    const last = page[page.length - 1];
    ctx.body = {
      alarms: await protocolRows(store, page),
      nextBefore: alarms.length > limit && last ? `${last.facts.raisedAt}.${last.facts.id}` : null,
    };
  });

  // Recorded before the first byte, so an export cut off midway is still on record.
  r.get('/export', async (ctx) => {
    const { format, ...f } = parseQuery(exportQuery, ctx);
    const q = storeQuery(ctx, f);
    const now = clock.now();
    await accessLog.append({
      at: now,
      actor: actorName(ctx),
      source: ctx.ip,
      action: 'protocol.export',
      outcome: 'success',
      environment: q.environments?.length === 1 ? q.environments[0] : null,
      details: {
        format,
        ...Object.fromEntries(
          Object.entries(f)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, k === 'from' || k === 'to' ? iso(v as number) : v]),
        ),
        environments: q.environments ?? '*',
      },
    });
    const chunks = (format === 'csv' ? protocolCsv : protocolJson)(protocolBatches(store, q));
    // The first chunk before the headers: a database error then is still a problem answer.
    const first = await chunks.next();
    ctx.attachment(`tocsin-protocol-${stamp(now)}.${format}`);
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.body = Readable.from(
      (async function* () {
        if (!first.done) yield first.value;
        yield* chunks;
      })(),
    );
  });

  return r;
}
