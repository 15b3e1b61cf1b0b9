/**
 * /api/v1/auth: log in (a server-side session in an httpOnly, SameSite=Lax cookie, Secure under
 * TLS, with a new id each time), log out, who am I, change my password (which ends my other
 * sessions). A failed login answers the same for an unknown name and a wrong password; a
 * throttled one answers 429 with Retry-After.
 */
import { zodProblems } from '../domain/validation.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { TocsinError } from '../domain/errors.ts';
import { LANGUAGES } from '../domain/identity.ts';
import type { AuthService, Principal } from '../runtime/auth-service.ts';
import { SESSION_COOKIE } from './auth.ts';

const loginBody = z.object({ loginName: z.string().max(64), password: z.string().max(1024) }).strict();
const passwordBody = z.object({ oldPassword: z.string().max(1024), newPassword: z.string().max(1024) }).strict();

function parse<T>(schema: z.ZodType<T>, ctx: Context): T {
  if (!ctx.is('application/json')) throw new TocsinError('unsupported-media-type', 'send application/json');
  const r = schema.safeParse((ctx.request as unknown as { body?: unknown }).body);
  if (r.success) return r.data;
  throw new TocsinError('validation', 'the request body is invalid', {
    details: zodProblems(r.error.issues),
  });
}

const meBody = z.object({ language: z.enum(LANGUAGES) }).strict();

const me = (p: Principal) => ({
  userId: p.userId,
  loginName: p.loginName,
  permissions: p.permissions,
  environments: p.environments,
  mustChangePassword: p.mustChangePassword,
  via: p.kind,
});

export function authRoutes(auth: AuthService, opts: { secureCookies: boolean }): Router {
  const r = new Router({ prefix: '/api/v1/auth' });
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies, path: '/', overwrite: true };

  r.post('/login', async (ctx) => {
    const body = parse(loginBody, ctx);
    const result = await auth.login(body.loginName, body.password, ctx.ip);
    if (!result.ok) {
      if (result.reason === 'throttled') {
        ctx.set('Retry-After', String(Math.max(1, Math.ceil((result.retryAfterMs ?? 1000) / 1000))));
        throw new TocsinError('too-many-requests', 'too many failed logins; wait and try again');
      }
      // One answer for an unknown name, a wrong password and a locked account: no enumeration.
      throw new TocsinError(
        'unauthorized',
        'the login failed; after repeated failures an account is locked until an administrator unlocks it',
      );
    }
    ctx.cookies.set(SESSION_COOKIE, result.session, cookie);
    ctx.body = {
      loginName: result.user.loginName,
      mustChangePassword: result.mustChangePassword,
      csrfToken: result.csrfToken,
    };
  });

  r.post('/logout', async (ctx) => {
    const session = ctx.state.session as string | undefined;
    if (session) await auth.logout(session, ctx.ip);
    ctx.cookies.set(SESSION_COOKIE, '', { ...cookie, maxAge: 0 });
    ctx.status = 204;
  });

  r.get('/me', async (ctx) => {
    const p = ctx.state.principal as Principal;
    const u = await auth.getUser(p.userId).catch(() => undefined);
    ctx.body = {
      ...me(p),
      ...(u ? { displayName: u.displayName, language: u.language, startPage: u.startPage } : {}),
    };
  });

  // One's own settings: only the language (the console's language switch).
  r.patch('/me', async (ctx) => {
    const body = parse(meBody, ctx);
    const p = ctx.state.principal as Principal;
    const u = await auth.updateUser(p, p.userId, { language: body.language });
    ctx.body = { ...me(p), displayName: u.displayName, language: u.language, startPage: u.startPage };
  });

  r.post('/password', async (ctx) => {
    const body = parse(passwordBody, ctx);
    const p = ctx.state.principal as Principal;
    // An API token must not be able to take over its owner's account.
    if (p.kind !== 'session') throw new TocsinError('forbidden', 'change a password from a logged-in session');
    const session = ctx.state.session as string | undefined;
    const result = await auth.changePassword(p.userId, body.oldPassword, body.newPassword, {
      ...(session ? { keepSessionId: session } : {}),
      source: ctx.ip,
    });
    if (!result.ok) {
      if (result.reason === 'policy') {
        throw new TocsinError('validation', 'the new password is refused', {
          details: [{ pointer: '/newPassword', reason: result.message }],
        });
      }
      if (result.reason === 'throttled') {
        ctx.set('Retry-After', '60');
        throw new TocsinError('too-many-requests', result.message);
      }
      if (result.reason === 'locked')
        throw new TocsinError('forbidden', 'the account is locked; an administrator must unlock it');
      throw new TocsinError('forbidden', 'the old password is wrong');
    }
    ctx.status = 204;
  });
  return r;
}
