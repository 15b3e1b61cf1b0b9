/**
 * The operator's functions of the console (operation.* permissions): forward an alarm to another
 * recipient, cancel every alarm (and log everyone out of presence-tracked groups), the forward
 * targets, and the contacts. Everything is scoped to the caller's environments; an alarm, group
 * or contact of another environment is as unknown as none.
 *
 * A forward is a step of the alarm (AlarmRuntime.forward: a FORWARD event, recorded in the
 * protocol with the operator as actor; its notifications go out through the outbox). A cancel
 * all is one ordinary, recorded cancel per alarm, and is in the access log.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { memberAddress } from '../domain/config-model.ts';
import { inScope, storeFilter, type EnvironmentScope } from '../domain/environments.ts';
import { TocsinError } from '../domain/errors.ts';
import { loginKey } from '../domain/identity.ts';
import { zodProblems } from '../domain/validation.ts';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import type { AuthService, Principal } from '../runtime/auth-service.ts';
import type { ConfigService } from '../runtime/config-service.ts';
import { actorName, principalOf, type Audit } from './actor.ts';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1–64 of A–Z a–z 0–9 _ -');
const DEVICE = /^device:[A-Za-z0-9._:-]{1,64}$/;

const forwardBody = z.strictObject({
  to: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[^\s/]+$/, 'a login name, group:<id>, contact:<id> or device:<id> (no spaces)'),
  text: z.string().trim().min(1).max(500).optional(),
});
const cancelAllBody = z.strictObject({
  alarms: z.boolean(),
  presences: z.boolean(),
  reason: z.string().trim().min(1).max(500).optional(),
});

/** Active alarms cancelled per page; the loop pages until none of the caller's are left. */
const PAGE = 500;

export interface OperationRouteDeps {
  readonly runtime: AlarmRuntime;
  readonly store: AlarmStore;
  readonly configService: ConfigService;
  readonly auth: AuthService;
  readonly audit: Audit;
}

function parse<T>(schema: z.ZodType<T>, ctx: Context): T {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  const r = schema.safeParse((ctx.request as unknown as { body?: unknown }).body);
  if (r.success) return r.data;
  throw new TocsinError('validation', 'the request body is invalid', { details: zodProblems(r.error.issues) });
}

const scope = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];
const unknownRecipient = (reason: string) =>
  new TocsinError('validation', 'the recipient is unknown', { details: [{ pointer: '/to', reason }] });

export function operationRoutes(d: OperationRouteDeps): Router {
  const r = new Router({ prefix: '/api/v1' });

  /**
   * The addresses `to` stands for in `environment`: a user (login name), `group:<id>` (its members
   * present now; a bare id that is no user but a group works too), `contact:<id>` or
   * `device:<id>`. Throws validation (422) for an unknown one or a group nobody can be reached in.
   */
  async function resolve(
    ctx: Context,
    to: string,
    environment: string,
  ): Promise<{ recipients: string[]; group?: string }> {
    const sc = scope(ctx);
    const here = (env: string) => env === environment && inScope(sc, env);
    const group = async (gid: string) => {
      const g = (await d.configService.list('group', sc)).find((s) => s.item.id === gid && here(s.item.environment));
      if (!g) return undefined;
      const members = g.item.members.map(memberAddress);
      const present = g.item.presence ? new Set(await d.configService.presence(gid, sc)) : undefined;
      const recipients = present ? members.filter((m) => present.has(m)) : members;
      if (recipients.length === 0) throw unknownRecipient(`nobody in group '${gid}' can be notified now`);
      return { recipients, group: gid };
    };
    if (to.startsWith('group:')) {
      const found = await group(to.slice('group:'.length));
      if (!found) throw unknownRecipient(`no group '${to.slice('group:'.length)}' in the alarm's environment`);
      return found;
    }
    if (to.startsWith('contact:')) {
      const cid = to.slice('contact:'.length);
      const c = (await d.configService.list('contact', sc)).find((s) => s.item.id === cid && here(s.item.environment));
      if (!c) throw unknownRecipient(`no contact '${cid}' in the alarm's environment`);
      return { recipients: [to] };
    }
    if (to.startsWith('device:')) {
      if (!DEVICE.test(to)) throw unknownRecipient('a device address is device:<id>');
      return { recipients: [to] };
    }
    const users = await d.auth.listUsers(principalOf(ctx) as Principal);
    const user = users.find((u) => loginKey(u.loginName) === loginKey(to) && !u.erased);
    if (user && inScope(user.environments, environment)) return { recipients: [user.loginName] };
    const asGroup = await group(to);
    if (asGroup) return asGroup;
    throw unknownRecipient(`no user or group '${to}' in the alarm's environment`);
  }

  r.post('/alarms/:id/forward', async (ctx) => {
    const alarmId = id.safeParse(ctx.params.id);
    if (!alarmId.success)
      throw new TocsinError('validation', "the path parameter 'id' is invalid", {
        details: alarmId.error.issues.map((i) => ({ parameter: 'id', reason: i.message })),
      });
    const body = parse(forwardBody, ctx);
    const alarm = await d.store.getAlarm(alarmId.data);
    if (!alarm || !inScope(scope(ctx), alarm.facts.environment))
      throw new TocsinError('not-found', `alarm ${alarmId.data} does not exist`);
    if (alarm.status === 'ended') throw new TocsinError('alarm-ended', `alarm ${alarmId.data} has ended`);
    const target = await resolve(ctx, body.to, alarm.facts.environment);
    const by = actorName(ctx);
    await d.runtime.forward(alarmId.data, { ...target, text: body.text }, by, { kind: 'user', id: by });
    ctx.status = 202;
    ctx.body = { forwarded: true, recipients: target.recipients };
  });

  // Who an operator may forward to, in the caller's environments.
  r.get('/forward-targets', async (ctx) => {
    const sc = scope(ctx);
    const users = (await d.auth.listUsers(principalOf(ctx) as Principal)).filter((u) => !u.erased);
    const receiving = await Promise.all(users.map((u) => d.auth.mayReceiveNotifications(u.loginName)));
    const list = (kind: 'group' | 'contact') =>
      d.configService
        .list(kind, sc)
        .then((l) => l.map((s) => ({ id: s.item.id, name: s.item.name, environment: s.item.environment })));
    const [groups, contacts] = await Promise.all([list('group'), list('contact')]);
    ctx.body = {
      users: users
        .filter((_, i) => receiving[i])
        .map((u) => ({ id: u.loginName, name: u.displayName || u.loginName, environments: u.environments })),
      groups,
      contacts,
    };
  });

  r.post('/alarms/cancel-all', async (ctx) => {
    const body = parse(cancelAllBody, ctx);
    const sc = scope(ctx);
    const by = actorName(ctx);
    const actor = { kind: 'user' as const, id: by };
    let alarms = 0;
    if (body.alarms) {
      const environments = storeFilter(sc);
      const tried = new Set<string>();
      for (;;) {
        const page = (
          await d.store.listAlarms({ status: 'active', limit: PAGE, ...(environments ? { environments } : {}) })
        ).filter((a) => inScope(sc, a.facts.environment) && !tried.has(a.facts.id));
        if (page.length === 0) break;
        for (const a of page) {
          tried.add(a.facts.id);
          // One that ended meanwhile (a retry, a response) is not an error: it is no longer active.
          await d.runtime.cancel(a.facts.id, by, body.reason, actor).then(
            () => alarms++,
            (err: unknown) => {
              if (!(err instanceof TocsinError && (err.code === 'alarm-ended' || err.code === 'not-found'))) throw err;
            },
          );
        }
      }
    }
    let presences = 0;
    if (body.presences) {
      for (const g of await d.configService.list('group', sc)) {
        if (!g.item.presence) continue;
        for (const member of await d.configService.presence(g.item.id, sc)) {
          if (await d.configService.setPresence(g.item.id, member, false, by, sc)) presences++;
        }
      }
    }
    await d.audit(ctx, {
      action: 'alarms.cancel-all',
      target: 'alarms',
      details: { alarms, presences, ...(body.reason ? { reason: body.reason } : {}) },
    });
    ctx.body = { alarms, presences };
  });

  r.get('/contacts', async (ctx) => {
    const contacts = await d.configService.list('contact', scope(ctx));
    ctx.body = {
      contacts: contacts.map(({ item }) => ({
        id: item.id,
        name: item.name,
        environment: item.environment,
        ...(item.email ? { email: item.email } : {}),
        ...(item.phone ? { phone: item.phone } : {}),
      })),
    };
  });

  return r;
}
