/**
 * Replay for engineers: GET /api/v1/alarms/{id}/replay (does the recorded history reproduce
 * under its pinned plan?), GET /api/v1/alarms/{id}/plan (that plan, for the timeline's
 * statechart: whoever may read the alarm's protocol may read the plan that made it, without
 * the plan editor's permission) and POST /api/v1/replay/what-if (what would another plan version have
 * done with these alarms?). Both read only and are scoped to the caller's environments: an
 * alarm or plan of another environment is as unknown as none (404). Both need
 * `operation.protocol` (route-access.ts): they show what the protocol shows — who was notified,
 * who answered, when — recomputed. A what-if run reads many protocols at once, so each run is
 * written to the access log (`replay.what-if`).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { TocsinError } from '../domain/errors.ts';
import { zodProblems } from '../domain/validation.ts';
import { inScope, type EnvironmentScope } from '../domain/environments.ts';
import type { AlarmStore, AlarmRecord } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import { PlanCatalog } from '../runtime/plan-catalog.ts';
import { parsePlanRef, refText, ReplayService, WHAT_IF_DEFAULT_LIMIT, WHAT_IF_MAX } from '../runtime/replay-service.ts';
import { principalOf, type Audit } from './actor.ts';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const id = z.string().regex(ID, 'ids are 1–64 of A–Z a–z 0–9 _ -');
const time = z.iso.datetime({ offset: true });

/** The what-if request: `alarms`, or a time range [from, to). */
export const whatIfBody = z
  .object({
    plan: z.string().refine((s) => parsePlanRef(s) !== undefined, 'a plan version `id@version`, e.g. escalate@2'),
    alarms: z.array(id).min(1).max(WHAT_IF_MAX).optional(),
    from: time.optional(),
    to: time.optional(),
    limit: z.number().int().min(1).max(WHAT_IF_MAX).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const range = b.from !== undefined || b.to !== undefined;
    if (b.alarms && range)
      ctx.addIssue({ code: 'custom', path: ['alarms'], message: 'give either alarms or from/to, not both' });
    else if (!b.alarms && !range)
      ctx.addIssue({ code: 'custom', path: ['alarms'], message: 'give alarms, or a time range from/to' });
    else if (range && (b.from === undefined || b.to === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [b.from === undefined ? 'from' : 'to'],
        message: 'a range needs from and to',
      });
    else if (range && Date.parse(b.from!) >= Date.parse(b.to!))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    if (b.alarms && b.limit !== undefined)
      ctx.addIssue({ code: 'custom', path: ['limit'], message: 'limit applies to a time range only' });
  });

export interface ReplayRouteDeps {
  readonly store: AlarmStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly audit: Audit;
}

const scope = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];

/** The path's alarm id; 422 when it is not one. */
function pathId(ctx: Context): string {
  const p = id.safeParse(ctx.params.id);
  if (!p.success)
    throw new TocsinError('validation', "the path parameter 'id' is invalid", {
      details: p.error.issues.map((i) => ({ parameter: 'id', reason: i.message })),
    });
  return p.data;
}

export function replayRoutes({ store, clock, audit }: ReplayRouteDeps): Router {
  const service = new ReplayService(store, new PlanCatalog(store));
  const r = new Router();

  r.get('/api/v1/alarms/:id/replay', async (ctx) => {
    ctx.body = await service.replayAlarm(pathId(ctx), scope(ctx));
  });

  r.get('/api/v1/alarms/:id/plan', async (ctx) => {
    const alarmId = pathId(ctx);
    const alarm = await store.getAlarm(alarmId);
    if (!alarm || !inScope(scope(ctx), alarm.facts.environment))
      throw new TocsinError('not-found', `alarm ${alarmId} does not exist`);
    const definition = await store.getPlan(alarm.plan);
    if (definition === undefined)
      throw new TocsinError('not-found', `plan ${refText(alarm.plan)} of alarm ${alarmId} does not exist`);
    ctx.body = { alarmId, plan: refText(alarm.plan), definition };
  });

  r.post('/api/v1/replay/what-if', async (ctx) => {
    if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
    const parsed = whatIfBody.safeParse((ctx.request as unknown as { body?: unknown }).body);
    if (!parsed.success)
      throw new TocsinError('validation', 'the request body is invalid', { details: zodProblems(parsed.error.issues) });
    const b = parsed.data;
    const ref = parsePlanRef(b.plan)!;
    await service.readablePlan(ref, scope(ctx));
    let alarms: AlarmRecord[];
    if (b.alarms) {
      alarms = [];
      for (const alarmId of new Set(b.alarms)) alarms.push(await service.alarm(alarmId, scope(ctx)));
    } else {
      const limit = b.limit ?? WHAT_IF_DEFAULT_LIMIT;
      alarms = await service.alarmsIn(Date.parse(b.from!), Date.parse(b.to!), limit, scope(ctx));
    }
    const report = await service.whatIf(ref, alarms, clock.now());
    const envs = [...new Set(alarms.map((a) => a.facts.environment))];
    await audit(ctx, {
      action: 'replay.what-if',
      target: `plan/${refText(ref)}`,
      environment: envs.length === 1 ? envs[0]! : null,
      details: {
        alarms: alarms.length,
        ...(b.from !== undefined ? { from: b.from, to: b.to } : {}),
        changed: report.summary.changed,
      },
    });
    ctx.body = report;
  });

  return r;
}
