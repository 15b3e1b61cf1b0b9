/**
 * /api/v1/plans (publish, list) and /api/v1/plans/{id}/…: plan versions — export one, disable
 * or re-enable it, diff two. A published version is immutable; publishing validates first and
 * writes nothing for an invalid plan (422 with every problem under /plan). Each change is
 * recorded as made by the caller, and written to the access log.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { canonicalJson } from '../domain/canonical-json.ts';
import { jsonDiff } from '../domain/json-diff.ts';
import { TocsinError } from '../domain/errors.ts';
import type { PlanRef } from '../domain/alarm.ts';
import type { AlarmStore, PlanVersionInfo } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import { invalidPlan, type PlanTools } from '../runtime/plan-tools.ts';
import { ALL_ENVIRONMENTS, holdsAll, inScope, type EnvironmentScope } from '../domain/environments.ts';
import { ENVIRONMENT_OR_ALL } from '../domain/identity.ts';
import { actorName, principalOf, type Audit } from './actor.ts';

const PLAN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VERSION = /^[1-9][0-9]{0,8}$/;

export interface PlanVersionRouteDeps {
  readonly store: AlarmStore;
  readonly planTools: PlanTools;
  readonly clock: Pick<Clock, 'now'>;
  readonly audit: Audit;
}

const invalid = (parameter: string, reason: string) =>
  new TocsinError('validation', `the parameter '${parameter}' is invalid`, { details: [{ parameter, reason }] });

/** Validates a path or query parameter against `pattern`. */
function param(value: unknown, parameter: string, pattern: RegExp, reason: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw invalid(parameter, reason);
  return value;
}

const planId = (ctx: Context) => param(ctx.params.id, 'id', PLAN_ID, 'plan ids are 1–64 of A–Z a–z 0–9 _ -');
const version = (v: unknown, name: string) => Number(param(v, name, VERSION, 'a version is a positive integer'));
const refOf = (ctx: Context): PlanRef => ({ id: planId(ctx), version: version(ctx.params.version, 'version') });

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const versionJson = (v: PlanVersionInfo) => ({
  version: v.version,
  publishedAt: iso(v.publishedAt),
  publishedBy: v.publishedBy,
  disabledAt: iso(v.disabledAt),
  environment: v.environment,
});

const scopeOf = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];
/** A shared plan (`*`) is read by everyone; a plan of an environment by those who hold it. */
const readable = (scope: EnvironmentScope, environment: string) =>
  environment === ALL_ENVIRONMENTS || inScope(scope, environment);
/** Publishing, disabling, enabling: only inside one's environments (a shared plan: holders of `*`). */
const writable = (scope: EnvironmentScope, environment: string) => inScope(scope, environment);

export function planVersionRoutes({ store, planTools, clock, audit }: PlanVersionRouteDeps): Router {
  const r = new Router({ prefix: '/api/v1/plans' });

  /** A version the caller may read; one of another environment is as unknown as none. */
  async function info(ctx: Context, ref: PlanRef) {
    const found = await store.getPlanInfo(ref);
    if (!found || !readable(scopeOf(ctx), found.environment))
      throw new TocsinError('not-found', `plan ${ref.id}@${ref.version} does not exist`);
    return found;
  }

  /**
   * The environment a publish goes to: the id's own when it exists (another one asked for is a
   * conflict; an id of an environment the caller does not hold is taken), else the one asked
   * for, else the caller's only environment (`*` for a holder of all). Never one the caller
   * does not hold.
   */
  async function publishEnvironment(ctx: Context, plan: unknown, asked: unknown): Promise<string> {
    const scope = scopeOf(ctx);
    if (asked !== undefined && !ENVIRONMENT_OR_ALL.safeParse(asked).success)
      throw new TocsinError('validation', 'the request body is invalid', {
        details: [{ pointer: '/environment', reason: 'an environment id, or * for a plan shared by all' }],
      });
    const id = (plan as { id?: unknown } | null)?.id;
    const existing = typeof id === 'string' ? await store.getPlanInfo({ id, version: 1 }) : undefined;
    if (existing) {
      if (!writable(scope, existing.environment))
        throw new TocsinError(
          readable(scope, existing.environment) ? 'forbidden' : 'conflict',
          readable(scope, existing.environment)
            ? 'a shared plan is published only by a holder of every environment'
            : `plan id '${String(id)}' is taken`,
        );
      if (asked !== undefined && asked !== existing.environment)
        throw new TocsinError('conflict', `plan ${String(id)} belongs to environment '${existing.environment}'`);
      return existing.environment;
    }
    const own = scope.filter((e) => e !== ALL_ENVIRONMENTS);
    const env =
      (asked as string | undefined) ?? (holdsAll(scope) ? ALL_ENVIRONMENTS : own.length === 1 ? own[0] : undefined);
    if (env === undefined)
      throw new TocsinError('validation', 'say which environment the plan belongs to', {
        details: [{ pointer: '/environment', reason: `one of ${own.join(', ')}` }],
      });
    if (!writable(scope, env))
      throw new TocsinError('validation', 'the request body is invalid', {
        details: [{ pointer: '/environment', reason: 'an environment you do not hold' }],
      });
    return env;
  }

  r.post('/', async (ctx) => {
    if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
    const b = (ctx.request as unknown as { body?: unknown }).body;
    if (!b || typeof b !== 'object' || Array.isArray(b) || !('plan' in b)) {
      throw new TocsinError('validation', 'the request body must be an object with a plan', {
        details: [{ pointer: '/plan', reason: 'required' }],
      });
    }
    const body = b as { plan: unknown; id?: unknown; version?: unknown; environment?: unknown };
    for (const k of Object.keys(body)) {
      if (!['plan', 'id', 'version', 'environment'].includes(k)) {
        throw new TocsinError('validation', 'the request body is invalid', {
          details: [{ pointer: `/${k}`, reason: `unknown property '${k}'` }],
        });
      }
    }
    if (body.id !== undefined && (typeof body.id !== 'string' || !PLAN_ID.test(body.id))) {
      throw new TocsinError('validation', 'the request body is invalid', {
        details: [{ pointer: '/id', reason: 'plan ids are 1–64 of A–Z a–z 0–9 _ -' }],
      });
    }
    if (body.version !== undefined && (!Number.isInteger(body.version) || (body.version as number) < 1)) {
      throw new TocsinError('validation', 'the request body is invalid', {
        details: [{ pointer: '/version', reason: 'a version is a positive integer' }],
      });
    }
    // Import under another id: the plan's own `id` is rewritten before it is validated.
    const plan =
      body.id !== undefined && body.plan && typeof body.plan === 'object' && !Array.isArray(body.plan)
        ? { ...(body.plan as object), id: body.id }
        : body.plan;
    const environment = await publishEnvironment(ctx, plan, body.environment);
    // Names are checked against the plan's environment only: another environment's groups are unknown here.
    const check = await planTools.validate(plan, [environment]);
    if (!check.ok) throw invalidPlan(check.problems, '/plan');
    const id = check.plan.id;
    if (body.version === undefined) {
      const v = await store.publishPlan(id, check.plan, clock.now(), actorName(ctx), { environment });
      if (typeof v !== 'number') throw new TocsinError('conflict', `plan id '${id}' is taken`);
      await audit(ctx, { action: 'plan.publish', target: `plan/${id}@${v}`, environment });
      ctx.status = 201;
      ctx.set('Location', `/api/v1/plans/${id}/versions/${v}`);
      ctx.body = { id, version: v };
      return;
    }
    // Import keeping the version number: the same definition again is a no-op (200), another
    // definition at that version or a gap before it is a conflict (409), nothing written.
    const version = body.version as number;
    const existing = await store.getPlan({ id, version });
    // (publishEnvironment has refused an id of another environment, so this reads only the caller's.)
    if (existing !== undefined) {
      if (canonicalJson(existing) !== canonicalJson(check.plan)) {
        throw new TocsinError('conflict', `plan ${id}@${version} exists with a different definition`);
      }
      ctx.set('Location', `/api/v1/plans/${id}/versions/${version}`);
      ctx.body = { id, version };
      return;
    }
    const v = await store.publishPlan(id, check.plan, clock.now(), actorName(ctx), {
      expectVersion: version,
      environment,
    });
    if (typeof v !== 'number') {
      throw new TocsinError('conflict', `plan ${id} continues at version ${v.conflict}, not ${version}`);
    }
    await audit(ctx, { action: 'plan.publish', target: `plan/${id}@${v}`, environment, details: { import: true } });
    ctx.status = 201;
    ctx.set('Location', `/api/v1/plans/${id}/versions/${v}`);
    ctx.body = { id, version: v };
  });

  r.get('/', async (ctx) => {
    const scope = scopeOf(ctx);
    const plans = (await store.listPlans()).filter((p) => p.versions.some((v) => readable(scope, v.environment)));
    ctx.body = { plans: plans.map((p) => ({ id: p.id, versions: p.versions.map(versionJson) })) };
  });

  r.get('/:id/versions/:version', async (ctx) => {
    const p = await info(ctx, refOf(ctx));
    ctx.body = { id: p.id, ...versionJson(p), definition: p.definition };
  });

  for (const action of ['disable', 'enable'] as const) {
    r.post(`/:id/versions/:version/${action}`, async (ctx) => {
      const ref = refOf(ctx);
      const target = await info(ctx, ref);
      if (!writable(scopeOf(ctx), target.environment))
        throw new TocsinError(
          'forbidden',
          'a shared plan is disabled or enabled only by a holder of every environment',
        );
      if (!(await store.setPlanDisabled(ref, action === 'disable', clock.now(), actorName(ctx)))) {
        throw new TocsinError('not-found', `plan ${ref.id}@${ref.version} does not exist`);
      }
      await audit(ctx, {
        action: 'plan.disable',
        target: `plan/${ref.id}@${ref.version}`,
        environment: target.environment,
        details: { action },
      });
      const p = await info(ctx, ref);
      ctx.body = { id: p.id, ...versionJson(p) };
    });
  }

  r.get('/:id/diff', async (ctx) => {
    const id = planId(ctx);
    const from = version(ctx.query.from, 'from');
    const to = version(ctx.query.to, 'to');
    const [a, b] = await Promise.all([info(ctx, { id, version: from }), info(ctx, { id, version: to })]);
    ctx.body = { id, from, to, changes: jsonDiff(a.definition, b.definition) };
  });

  return r;
}
