/**
 * /api/v1/phones and /api/v1/dect: the handsets of the DECT link (the phones list), the
 * locating alert, and the DECT band (read it; switch it, confirmed and access-logged).
 * The handsets belong to the link's environment: a caller outside it sees an empty list and
 * finds no phone (404), as with every other object of another environment. Without a DECT link
 * the list is empty and a locating alert is a conflict (409); with the link down it is 503.
 * Every locating alert is in the access log.
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
