/**
 * /api/v1/system/…: the System pages of the console (src/ports/system-control.ts).
 * - `GET interfaces` (system.interfaces): every configured interface of this node with its
 *   state (`up`, `connecting`, `down`, `standby`, `stopped`), and the device-link lease in cluster mode.
 * - `GET monitor` (system.monitor): what /metrics has, as JSON.
 * - `POST restart` (system.restart) `{scope, reason}`: `interfaces` restarts the device links
 *   and answers 200 when they are opening again; `server` answers 202, then stops Tocsin
 *   gracefully and hands over to the process host. One restart at a time (409), and a server
 *   restart only where a process host can start it again (409). Every attempt is in the access
 *   log (`maintenance.restart`, with the scope and the reason; refused ones as failures).
 * - `GET supervision` and `PUT supervision/{environment}` (administration.supervision-alarms):
 *   the supervised interfaces, each environment's supervision alarm type and the recent
 *   supervision alarms; the assignment changes the environment through the ConfigService, so it
 *   is versioned and recorded like any configuration change (and access-logged `config.change`).
 *   Environments and alarms outside the caller's scope are left out (404 for a PUT).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { ID_PATTERN } from '../domain/config-model.ts';
import { inScope, storeFilter, type EnvironmentScope } from '../domain/environments.ts';
import { TocsinError } from '../domain/errors.ts';
import { zodProblems } from '../domain/validation.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { SystemControl } from '../ports/system-control.ts';
import type { ConfigService } from '../runtime/config-service.ts';
import { actorName, principalOf, type Audit } from './actor.ts';

export const RESTART_REASON_MAX = 500;
/** How many of the newest supervision alarms are shown. */
const SHOWN = 50;

const restartBody = z.strictObject({
  scope: z.enum(['interfaces', 'server']),
  reason: z.string().trim().min(1).max(RESTART_REASON_MAX),
});
const supervisionBody = z.strictObject({
  alarmType: z.string().regex(ID_PATTERN, 'an alarm type id').nullable(),
});

export interface SystemRoutesDeps {
  readonly control: SystemControl | undefined;
  readonly configService: ConfigService;
  readonly store: Pick<AlarmStore, 'queryAlarms'>;
  readonly audit: Audit;
}

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const scopeOf = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];

function jsonBody<T>(ctx: Context, schema: z.ZodType<T>): T {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  const parsed = schema.safeParse((ctx.request as unknown as { body?: unknown }).body);
  if (!parsed.success)
    throw new TocsinError('validation', 'the request body is invalid', { details: zodProblems(parsed.error.issues) });
  return parsed.data;
}

export function systemRoutes(d: SystemRoutesDeps): Router {
  const r = new Router({ prefix: '/api/v1/system' });
  const control = (): SystemControl => {
    if (!d.control) throw new TocsinError('unavailable', 'system control is not available on this server');
    return d.control;
  };

  r.get('/interfaces', async (ctx) => {
    const report = await control().interfaces();
    ctx.body = {
      mode: report.mode,
      restarting: control().restarting ?? null,
      ...(report.lease
        ? {
            lease: {
              name: report.lease.name,
              node: report.lease.node,
              heldHere: report.lease.heldHere,
              ...(report.lease.holder !== undefined ? { holder: report.lease.holder } : {}),
              ...(report.lease.expiresAt !== undefined ? { expiresAt: iso(report.lease.expiresAt) } : {}),
            },
          }
        : {}),
      interfaces: report.interfaces.map((i) => ({
        id: i.id,
        kind: i.kind,
        state: i.state,
        ...(i.since !== undefined ? { since: iso(i.since) } : {}),
        detail: i.detail,
      })),
    };
  });

  r.get('/monitor', async (ctx) => {
    const m = await control().monitor();
    ctx.body = { ...m, at: iso(m.at) };
  });

  r.post('/restart', async (ctx) => {
    const body = jsonBody(ctx, restartBody);
    const c = control();
    const audit = (outcome: 'success' | 'failure', extra: Record<string, unknown> = {}) =>
      d.audit(ctx, {
        action: 'maintenance.restart',
        outcome,
        target: `system/${body.scope}`,
        details: { scope: body.scope, reason: body.reason, ...extra },
      });
    if (body.scope === 'interfaces') {
      const out = await c.restartInterfaces();
      if (!out.ok) {
        await audit('failure', { refused: out.detail });
        throw new TocsinError('conflict', out.detail);
      }
      await audit('success');
      ctx.body = { scope: body.scope, status: 'restarted' };
      return;
    }
    const out = c.beginServerRestart({ actor: actorName(ctx), reason: body.reason });
    if (!out.ok) {
      await audit('failure', { refused: out.detail });
      throw new TocsinError('conflict', out.detail);
    }
    // Recorded before the answer: once it is sent, the store closes.
    await audit('success', { phase: 'requested' });
    ctx.status = 202;
    ctx.body = { scope: body.scope, status: 'restarting' };
    // After the answer has left (or the client has gone): stop, then hand over to the process host.
    let started = false;
    const go = () => {
      if (started) return;
      started = true;
      setImmediate(() => void out.go());
    };
    ctx.res.once('finish', go);
    ctx.res.once('close', go);
  });

  r.get('/supervision', async (ctx) => {
    const scope = scopeOf(ctx);
    const [environments, alarmTypes, alarms] = await Promise.all([
      d.configService.list('environment', scope),
      d.configService.list('alarmType', scope),
      d.store.queryAlarms({ adapter: 'supervision', limit: SHOWN, environments: storeFilter(scope) }),
    ]);
    const interfaces = d.control?.supervised() ?? [];
    ctx.body = {
      interfaces: interfaces.filter((i) => i.environment === '*' || inScope(scope, i.environment)),
      environments: environments.map(({ item, version }) => ({
        id: item.id,
        name: item.name,
        supervisionAlarmType: item.supervisionAlarmType ?? null,
        version,
        alarmTypes: alarmTypes.filter((t) => t.item.environment === item.id).map((t) => t.item.id),
      })),
      alarms: alarms.map((a) => ({
        id: a.facts.id,
        type: a.facts.type,
        text: a.facts.text,
        environment: a.facts.environment,
        device: a.facts.source.device,
        status: a.status,
        raisedAt: iso(a.facts.raisedAt),
        ...(a.endedAt !== undefined ? { endedAt: iso(a.endedAt) } : {}),
      })),
    };
  });

  r.put('/supervision/:environment', async (ctx) => {
    const id = String(ctx.params.environment);
    if (!ID_PATTERN.test(id))
      throw new TocsinError('validation', "the path parameter 'environment' is invalid", {
        details: [{ parameter: 'environment', reason: 'an environment id: 1–64 of A–Z a–z 0–9 _ -' }],
      });
    const body = jsonBody(ctx, supervisionBody);
    const scope = scopeOf(ctx);
    const current = await d.configService.get('environment', id, scope);
    const { supervisionAlarmType: _old, ...rest } = current.item;
    const next = body.alarmType === null ? rest : { ...rest, supervisionAlarmType: body.alarmType };
    const res = await d.configService.put('environment', id, next, {
      actor: actorName(ctx),
      ifVersion: current.version,
      scope,
    });
    if (res.changed)
      await d.audit(ctx, {
        action: 'config.change',
        target: `environments/${id}`,
        environment: id,
        details: { op: 'update', version: res.version, supervisionAlarmType: body.alarmType },
      });
    ctx.body = { environment: id, supervisionAlarmType: body.alarmType, version: res.version, changed: res.changed };
  });

  return r;
}
