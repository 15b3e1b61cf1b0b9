/**
 * /api/v1/phones and /api/v1/dect: the handsets of the DECT link (the phones list), the
 * locating alert, the handset's position on demand, and the DECT band (read it; switch it,
 * confirmed and access-logged).
 * The handsets belong to the link's environment: a caller outside it sees an empty list and
 * finds no phone (404), as with every other object of another environment. Without a DECT link
 * the list is empty and a locating alert is a conflict (409); with the link down it is 503.
 * Every locating alert and every position asked is in the access log: locating a person is the
 * same trust as ringing their handset (both need operation.phones.locating-alert). A position
 * that does not come is 504, one the OMM refuses 502.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { inScope } from '../domain/environments.ts';
import { HANDSET_NUMBER } from '../domain/handsets.ts';
import { TocsinError } from '../domain/errors.ts';
import { zodProblems } from '../domain/validation.ts';
import type { Phones } from '../ports/phones.ts';
import { principalOf, type Audit } from './actor.ts';
import { sendProblem } from './problem.ts';

const locatingBody = z.strictObject({ text: z.string().trim().min(1).max(160).optional() });

export function phoneRoutes(phones: Phones | undefined, audit: Audit): Router {
  const r = new Router({ prefix: '/api/v1' });
  const visible = (ctx: Context) =>
    phones !== undefined && inScope(principalOf(ctx)?.environments ?? [], phones.environment);

  r.get('/phones', (ctx) => {
    if (!phones || !visible(ctx)) {
      ctx.body = { link: phones ? 'unknown' : 'none', phones: [] };
      return;
    }
    ctx.body = {
      link: phones.linkUp() ? 'up' : 'down',
      environment: phones.environment,
      phones: phones.list().map((p) => ({ ...p, lastSeen: new Date(p.lastSeen).toISOString() })),
    };
  });

  r.post('/phones/:number/locating-alert', async (ctx) => {
    const number = String(ctx.params.number);
    if (!HANDSET_NUMBER.test(number))
      throw new TocsinError('validation', "the path parameter 'number' is invalid", {
        details: [{ parameter: 'number', reason: 'a handset number: 1–32 of 0–9 * # +' }],
      });
    if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
    const parsed = locatingBody.safeParse((ctx.request as unknown as { body?: unknown }).body);
    if (!parsed.success)
      throw new TocsinError('validation', 'the request body is invalid', { details: zodProblems(parsed.error.issues) });
    if (!phones) throw new TocsinError('conflict', 'no DECT link is configured (TOCSIN_DECT_HOST)');
    if (!visible(ctx)) throw new TocsinError('not-found', `phone ${number} does not exist`);
    const result = await phones.locatingAlert(number, parsed.data.text ?? 'Locating alert');
    await audit(ctx, {
      action: 'phone.locating-alert',
      outcome: result.ok ? 'success' : 'failure',
      target: `phone/${number}`,
      environment: phones.environment,
      ...(result.ok ? {} : { details: { reason: result.reason } }),
    });
    if (!result.ok) {
      throw result.retryable
        ? new TocsinError('unavailable', `the DECT link cannot send now: ${result.reason}`)
        : new TocsinError('conflict', `the OMM refused the locating alert: ${result.reason}`);
    }
    ctx.status = 202;
    ctx.body = { number, sent: true };
  });
  r.get('/phones/:number/position', async (ctx) => {
    const number = String(ctx.params.number);
    if (!HANDSET_NUMBER.test(number))
      throw new TocsinError('validation', "the path parameter 'number' is invalid", {
        details: [{ parameter: 'number', reason: 'a handset number: 1–32 of 0–9 * # +' }],
      });
    if (!phones) throw new TocsinError('conflict', 'no DECT link is configured (TOCSIN_DECT_HOST)');
    if (!visible(ctx)) throw new TocsinError('not-found', `phone ${number} does not exist`);
    const res = await phones.position(number);
    await audit(ctx, {
      action: 'phone.position',
      outcome: res.ok ? 'success' : 'failure',
      target: `phone/${number}`,
      environment: phones.environment,
      details: res.ok ? { rfp: res.best?.rfp ?? null } : { reason: res.reason, detail: res.detail },
    });
    if (res.ok) {
      ctx.body = {
        number,
        ppn: res.ppn,
        best: res.best ?? null,
        visible: res.visible,
        at: new Date(res.at).toISOString(),
      };
      return;
    }
    switch (res.reason) {
      case 'not-found':
        throw new TocsinError('not-found', `phone ${number} does not exist`);
      case 'link-down':
        throw new TocsinError('unavailable', `the DECT link cannot ask now: ${res.detail}`);
      case 'refused':
      case 'timeout': {
        // 5xx from a peer, said plainly: the detail is ours (no internals), so it is shown.
        const timeout = res.reason === 'timeout';
        sendProblem(ctx, {
          type: `urn:tocsin:problem:${timeout ? 'gateway-timeout' : 'bad-gateway'}`,
          title: timeout ? 'Gateway Timeout' : 'Bad Gateway',
          status: timeout ? 504 : 502,
          detail: timeout
            ? 'the OMM did not report the handset’s position in time'
            : `the OMM refused to locate the handset (${res.errCode ?? 'error'})`,
          instance: ctx.path,
        });
        return;
      }
      default: {
        const never: never = res.reason;
        throw new Error(`unhandled position result ${String(never)}`);
      }
    }
  });

  const bandBody = z.strictObject({
    band: z.string().min(1).max(32),
    confirm: z.literal(true, { error: 'switching the DECT band interrupts DECT service: send "confirm": true' }),
  });
  const linkOf = (ctx: Context): Phones => {
    if (!phones) throw new TocsinError('conflict', 'no DECT link is configured (TOCSIN_DECT_HOST)');
    if (!visible(ctx)) throw new TocsinError('not-found', 'no DECT link in your environments');
    return phones;
  };
  const failed = (res: { retryable: boolean; reason: string }) =>
    res.retryable
      ? new TocsinError('unavailable', `the DECT link cannot do it now: ${res.reason}`)
      : new TocsinError('conflict', `the OMM refused: ${res.reason}`);

  r.get('/dect/band', async (ctx) => {
    const link = linkOf(ctx);
    const res = await link.band();
    if (!res.ok) throw failed(res);
    ctx.body = { band: res.current ?? null, bands: link.bands };
  });

  // Confirmed by the caller (`confirm: true`), and in the access log whatever the outcome.
  r.post('/dect/band', async (ctx) => {
    if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
    const parsed = bandBody.safeParse((ctx.request as unknown as { body?: unknown }).body);
    if (!parsed.success)
      throw new TocsinError('validation', 'the request body is invalid', { details: zodProblems(parsed.error.issues) });
    const link = linkOf(ctx);
    if (!link.bands.includes(parsed.data.band))
      throw new TocsinError('validation', 'the request body is invalid', {
        details: [{ pointer: '/band', reason: `one of ${link.bands.join(', ')}` }],
      });
    const res = await link.band(parsed.data.band);
    await audit(ctx, {
      action: 'dect.band',
      outcome: res.ok ? 'success' : 'failure',
      target: `dect/band/${parsed.data.band}`,
      environment: link.environment,
      details: res.ok
        ? {
            previous: res.previous ?? null,
            current: res.current ?? null,
            changed: res.changed,
            confirmed: res.confirmed,
          }
        : { reason: res.reason },
    });
    if (!res.ok) throw failed(res);
    ctx.body = {
      band: res.current ?? null,
      previous: res.previous ?? null,
      changed: res.changed,
      confirmed: res.confirmed,
    };
  });
  return r;
}
