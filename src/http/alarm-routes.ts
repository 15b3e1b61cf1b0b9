/**
 * /api/v1/alarms: raise, read, respond, cancel, protocol. Bodies are validated with zod;
 * a bad one gets a 4xx problem answer listing every offending field, and nothing is written.
 */
import { zodProblems } from '../domain/validation.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { TocsinError } from '../domain/errors.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import { alarmView } from './alarm-view.ts';
import type { ChangeFeed } from '../runtime/alarm-watch.ts';
import type { ConfigService } from '../runtime/config-service.ts';
import { alarmEvents } from './alarm-events.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import { verifyChain } from '../runtime/protocol-hash.ts';
import { pseudonymsIn, resolveDeep } from '../runtime/pseudonyms.ts';
import { inScope, storeFilter, type EnvironmentScope } from '../domain/environments.ts';
import { actorName, principalOf } from './actor.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1–64 of A–Z a–z 0–9 _ -');

const raiseBody = z
  .object({
    type: z.string().min(1).max(64),
    text: text(1000),
    location: text(200).optional(),
    source: z
      .object({ adapter: text(64), device: text(128).optional() })
      .strict()
      .optional(),
    id: id.optional(),
  })
  .strict();

const responseBody = z.object({ response: z.enum(['accept', 'reject']), by: id }).strict();
const cancelBody = z.object({ by: id, reason: text(500).optional() }).strict();
/** Event names the runtime itself produces cannot be sent as signals. */
const RESERVED_SIGNALS = ['RAISE', 'RESPONSE', 'CANCEL', 'DELIVERY', 'FORWARD'];
const signalBody = z
  .object({
    signal: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'a signal is 1–32 of A–Z 0–9 _, starting with a letter, e.g. PRESENCE')
      .refine((s) => !RESERVED_SIGNALS.includes(s), `reserved: ${RESERVED_SIGNALS.join(', ')} have their own routes`),
    by: id,
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw new TocsinError('validation', 'the request body is invalid', {
    details: zodProblems(r.error.issues),
  });
}

/** Validates the `:id` path parameter. */
function pathId(ctx: Context): string {
  const r = id.safeParse(ctx.params.id);
  if (r.success) return r.data;
  throw new TocsinError('validation', "the path parameter 'id' is invalid", {
    details: r.error.issues.map((i) => ({ parameter: 'id', reason: i.message })),
  });
}

function requireJson(ctx: Context): unknown {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  return (ctx.request as unknown as { body?: unknown }).body;
}

/** The environments of the caller (the auth middleware has authenticated every route here). */
const scope = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];

/** An alarm the caller may see; one of another environment is as unknown as none. */
async function visibleAlarm(store: AlarmStore, ctx: Context, alarmId: string) {
  const alarm = await store.getAlarm(alarmId);
  if (!alarm || !inScope(scope(ctx), alarm.facts.environment))
    throw new TocsinError('not-found', `alarm ${alarmId} does not exist`);
  return alarm;
}

export interface AlarmRouteDeps {
  readonly runtime: AlarmRuntime;
  readonly store: AlarmStore;
  /** The store's change feed, for the live events; absent: the events route answers 503. */
  readonly feed?: ChangeFeed | undefined;
  /** The configuration, for the web alarm templates. */
  readonly configService?: Pick<ConfigService, 'list'> | undefined;
}

export function alarmRoutes({ runtime, store, feed, configService: templates }: AlarmRouteDeps): Router {
  const r = new Router({ prefix: '/api/v1/alarms' });

  r.post('/', async (ctx) => {
    const body = parse(raiseBody, requireJson(ctx));
    const { id: alarmId, created } = await runtime.raise(
      { ...body, source: body.source ?? { adapter: 'http' } },
      { kind: 'user', id: actorName(ctx) },
      scope(ctx),
    );
    ctx.status = created ? 201 : 200;
    ctx.set('Location', `/api/v1/alarms/${alarmId}`);
    ctx.body = { id: alarmId, created };
  });

  r.get('/', async (ctx) => {
    const q = ctx.query.status;
    if (q !== undefined && q !== 'active' && q !== 'ended') {
      throw new TocsinError('validation', "the query parameter 'status' is invalid", {
        details: [{ parameter: 'status', reason: "must be 'active' or 'ended'" }],
      });
    }
    const status = q;
    const environments = storeFilter(scope(ctx));
    const alarms = await store.listAlarms({
      limit: 200,
      ...(status ? { status } : {}),
      ...(environments ? { environments } : {}),
    });
    ctx.body = {
      alarms: alarms.map((a) => ({
        id: a.facts.id,
        type: a.facts.type,
        status: a.status,
        state: a.state,
        text: a.facts.text,
        raisedAt: new Date(a.facts.raisedAt).toISOString(),
      })),
    };
  });

  r.get('/events', alarmEvents({ store, feed, scope }));

  // The web alarm templates an operator may trigger from (the configuration itself needs more).
  r.get('/templates', async (ctx) => {
    if (!templates) throw new TocsinError('unavailable', 'web alarm templates are not available on this server');
    ctx.body = { templates: (await templates.list('webTemplate', scope(ctx))).map((s) => s.item) };
  });

  r.get('/:id', async (ctx) => {
    const alarmId = pathId(ctx);
    const alarm = await visibleAlarm(store, ctx, alarmId);
    ctx.body = await alarmView(store, alarm);
  });

  r.post('/:id/responses', async (ctx) => {
    const alarmId = pathId(ctx);
    const body = parse(responseBody, requireJson(ctx));
    await visibleAlarm(store, ctx, alarmId);
    await runtime.respond(alarmId, body.response, body.by, { kind: 'user', id: actorName(ctx) });
    ctx.status = 202;
    ctx.body = { accepted: true };
  });

  r.post('/:id/cancel', async (ctx) => {
    const alarmId = pathId(ctx);
    const body = parse(cancelBody, requireJson(ctx));
    await visibleAlarm(store, ctx, alarmId);
    await runtime.cancel(alarmId, body.by, body.reason, { kind: 'user', id: actorName(ctx) });
    ctx.status = 202;
    ctx.body = { cancelled: true };
  });

  r.post('/:id/signals', async (ctx) => {
    const alarmId = pathId(ctx);
    const body = parse(signalBody, requireJson(ctx));
    await visibleAlarm(store, ctx, alarmId);
    await runtime.signal(alarmId, body.signal, body.by, { kind: 'user', id: actorName(ctx) });
    ctx.status = 202;
    ctx.body = { signalled: body.signal };
  });

  r.get('/:id/protocol', async (ctx) => {
    const alarmId = pathId(ctx);
    const [alarm, entries] = await Promise.all([store.getAlarm(alarmId), store.listProtocol(alarmId)]);
    if (!alarm || !inScope(scope(ctx), alarm.facts.environment))
      throw new TocsinError('not-found', `alarm ${alarmId} does not exist`);
    // The chain is verified on the stored entries; only then are pseudonyms shown as their
    // values (an erased one stays a pseudonym), so what is shown is never what was hashed.
    const chain = verifyChain(entries, alarm);
    const resolved = await store.resolvePseudonyms(pseudonymsIn(entries));
    ctx.body = {
      alarmId,
      chain,
      entries: entries.map((e) => ({ ...resolveDeep(e, resolved), at: new Date(e.at).toISOString() })),
    };
  });

  return r;
}
