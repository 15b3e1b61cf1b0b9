/**
 * /api/v1/config/…: the configuration model. For each kind (environments, profiles, groups,
 * contacts, alarm-types, web-templates): list, read (with an ETag of the version), create or
 * replace with PUT (optionally `If-Match: "<version>"`), delete. Group presence (log in, log
 * out), the change record and the alarm types whose plan cannot run. Each change is recorded
 * as made by the caller, and written to the access log.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { CONFIG_KINDS, ID_PATTERN, KIND_SEGMENT, type ConfigKind } from '../domain/config-model.ts';
import { TocsinError } from '../domain/errors.ts';
import type { EnvironmentScope } from '../domain/environments.ts';
import { ConfigService, itemEnvironment } from '../runtime/config-service.ts';
import { verifyConfigChain } from '../runtime/protocol-hash.ts';
import { actorName, principalOf, type Audit } from './actor.ts';
import { ifMatch, setETag, stripVersion } from './if-match.ts';

const MEMBER = /^(?:(?:device|contact):)?[A-Za-z0-9._-]{1,64}$/;

const invalid = (parameter: string, reason: string) =>
  new TocsinError('validation', `the parameter '${parameter}' is invalid`, { details: [{ parameter, reason }] });

function pathParam(ctx: Context, name: string, pattern: RegExp, reason: string): string {
  const v: unknown = ctx.params[name];
  if (typeof v !== 'string' || !pattern.test(v)) throw invalid(name, reason);
  return v;
}
const itemId = (ctx: Context) =>
  pathParam(ctx, 'id', ID_PATTERN, 'ids are 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit');

function jsonBody(ctx: Context): unknown {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  return (ctx.request as unknown as { body?: unknown }).body;
}

function intQuery(ctx: Context, name: string, dflt: number, max: number): number {
  const v = ctx.query[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !/^[0-9]{1,12}$/.test(v) || Number(v) > max) {
    throw invalid(name, `an integer from 0 to ${max}`);
  }
  return Number(v);
}

const iso = (t: number) => new Date(t).toISOString();

const scope = (ctx: Context): EnvironmentScope => principalOf(ctx)?.environments ?? [];

export function configRoutes(service: ConfigService, audit: Audit): Router {
  const r = new Router({ prefix: '/api/v1/config' });

  for (const kind of CONFIG_KINDS as readonly ConfigKind[]) {
    const seg = KIND_SEGMENT[kind];
    r.get(`/${seg}`, async (ctx) => {
      ctx.body = { items: (await service.list(kind, scope(ctx))).map((s) => ({ ...s.item, version: s.version })) };
    });
    r.get(`/${seg}/:id`, async (ctx) => {
      const s = await service.get(kind, itemId(ctx), scope(ctx));
      setETag(ctx, s.version);
      ctx.body = { ...s.item, version: s.version };
    });
    r.put(`/${seg}/:id`, async (ctx) => {
      const id = itemId(ctx);
      const version = ifMatch(ctx);
      const body = jsonBody(ctx);
      const {
        version: v,
        created,
        changed,
        item,
      } = await service.put(kind, id, stripVersion(body), {
        actor: actorName(ctx),
        ifVersion: version,
        scope: scope(ctx),
      });
      if (changed)
        await audit(ctx, {
          action: 'config.change',
          target: `${seg}/${id}`,
          environment: 'environment' in item ? item.environment : id,
          details: { op: created ? 'create' : 'update', version: v },
        });
      ctx.status = created ? 201 : 200;
      setETag(ctx, v);
      ctx.body = { ...item, version: v };
    });
    r.delete(`/${seg}/:id`, async (ctx) => {
      const before = await service.get(kind, itemId(ctx), scope(ctx));
      const out = await service.delete(kind, itemId(ctx), {
        actor: actorName(ctx),
        ifVersion: ifMatch(ctx),
        scope: scope(ctx),
      });
      await audit(ctx, {
        action: 'config.change',
        target: `${seg}/${itemId(ctx)}`,
        environment: itemEnvironment(kind, before.item),
        details: { op: 'delete' },
      });
      ctx.body = { deleted: true, warnings: out.warnings };
    });
  }

  r.get('/groups/:id/presence', async (ctx) => {
    ctx.body = { group: itemId(ctx), present: await service.presence(itemId(ctx), scope(ctx)) };
  });
  const member = (ctx: Context) =>
    pathParam(ctx, 'member', MEMBER, 'a member address: a user id, device:<id> or contact:<id>');
  r.put('/groups/:id/presence/:member', async (ctx) => {
    const changed = await service.setPresence(itemId(ctx), member(ctx), true, actorName(ctx), scope(ctx));
    ctx.body = { group: itemId(ctx), member: member(ctx), present: true, changed };
  });
  r.delete('/groups/:id/presence/:member', async (ctx) => {
    const changed = await service.setPresence(itemId(ctx), member(ctx), false, actorName(ctx), scope(ctx));
    ctx.body = { group: itemId(ctx), member: member(ctx), present: false, changed };
  });

  r.get('/changes', async (ctx) => {
    const after = intQuery(ctx, 'after', 0, 1e12);
    const limit = Math.max(1, intQuery(ctx, 'limit', 100, 1000));
    const changes = (await service.changes(after, limit)).filter((c) => ConfigService.changeInScope(c, scope(ctx)));
    // `after` pages through the record; entries of other environments are left out of a page.
    ctx.body = { changes: changes.map((c) => ({ ...c, at: iso(c.at) })) };
  });
  r.get('/changes/verify', async (ctx) => {
    // The whole record from the start (it is small: one entry per configuration change).
    const all = [];
    for (let after = 0; ;) {
      const page = await service.changes(after, 1000);
      all.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    ctx.body = { entries: all.length, ...verifyConfigChain(all) };
  });
  r.get('/problems', async (ctx) => {
    ctx.body = { alarmTypes: await service.problems(scope(ctx)) };
  });
  return r;
}
