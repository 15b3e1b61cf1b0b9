/**
 * /api/v1/plans/{validate,analyse,simulate} and /api/v1/schemas/plan.json: the plan tools over
 * HTTP. Nothing is written; an invalid plan gets 422 with every problem as a JSON pointer.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { EnvironmentScope } from '../domain/environments.ts';
import { TocsinError } from '../domain/errors.ts';
import { principalOf } from './actor.ts';
import { invalidPlan, type PlanTools } from '../runtime/plan-tools.ts';
import { planJsonSchema } from '../../machines/plan-schema.ts';

/** The JSON object body, with no member but `allowed` (unknown fields are refused, not ignored). */
function body(ctx: Context, allowed: readonly string[]): Record<string, unknown> {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  const b = (ctx.request as unknown as { body?: unknown }).body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new TocsinError('validation', 'the request body must be an object', {
      details: [{ pointer: '', reason: 'expected an object' }],
    });
  }
  const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new TocsinError('validation', 'the request body is invalid', {
      details: unknown.map((k) => ({
        pointer: `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`,
        reason: `unknown property; allowed: ${allowed.join(', ')}`,
      })),
    });
  return b as Record<string, unknown>;
}

function alarmType(b: Record<string, unknown>): string | undefined {
  if (b.alarmType === undefined) return undefined;
  if (typeof b.alarmType !== 'string') {
    throw new TocsinError('validation', 'alarmType must be a string', {
      details: [{ pointer: '/alarmType', reason: 'expected a string' }],
    });
  }
  return b.alarmType;
}

/** The caller's environments: names of other environments' groups, profiles and types are unknown. */
const scope = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];

export function planRoutes(tools: PlanTools): Router {
  const r = new Router();
  r.get('/api/v1/schemas/plan.json', (ctx) => {
    ctx.type = 'application/schema+json';
    ctx.body = planJsonSchema;
  });
  r.post('/api/v1/plans/validate', async (ctx) => {
    const check = await tools.validate(body(ctx, ['plan']).plan, scope(ctx));
    if (!check.ok) throw invalidPlan(check.problems, '/plan');
    ctx.body = { ok: true };
  });
  r.post('/api/v1/plans/analyse', async (ctx) => {
    const b = body(ctx, ['plan', 'alarmType']);
    ctx.body = await tools.analyse(b.plan, alarmType(b), '/plan', scope(ctx));
  });
  r.post('/api/v1/plans/simulate', async (ctx) => {
    const b = body(ctx, ['plan', 'alarmType', 'scenario']);
    ctx.body = await tools.simulate(b.plan, b.scenario, alarmType(b), '/plan', scope(ctx));
  });
  return r;
}
