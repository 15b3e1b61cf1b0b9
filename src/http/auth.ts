/**
 * Authentication and authorisation for every request, before its body is read:
 * - find the route the routers would run (its `METHOD /path` key); no route → on to the 404;
 * - look up what it needs (route-access.ts); a route with no entry is refused (deny by default);
 * - the principal: `Authorization: Bearer <API token>`, or the `tocsin_session` cookie;
 * - a principal who must change the password may only change it, see itself, or log out;
 * - a change made with the session cookie must carry the session's CSRF token in
 *   `X-CSRF-Token` (the cookie alone proves nothing: a browser sends it on any site's behalf);
 * - the permission; a refusal is written to the access log.
 */
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { TocsinError } from '../domain/errors.ts';
import type { AccessLog } from '../ports/access-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { AuthService, Principal } from '../runtime/auth-service.ts';
import type { Logger } from '../runtime/observer.ts';
import { grantingPermissions, ROUTE_ACCESS, WHILE_PASSWORD_MUST_CHANGE } from './route-access.ts';

export const SESSION_COOKIE = 'tocsin_session';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthDeps {
  readonly auth: AuthService;
  readonly accessLog: AccessLog;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly routers: () => readonly Router[];
}

/** The `METHOD /path` key of the route that would handle the request, if any. */
export function routeKey(routers: readonly Router[], path: string, method: string): string | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const r of routers) {
    const match = r.match(path, m);
    const layer = match.pathAndMethod.find((l) => l.methods.length > 0);
    if (layer) return `${m} ${layer.path}`;
  }
  return undefined;
}

/** The principal of the request's credentials (token first), or undefined. */
async function principalOf(
  ctx: Context,
  auth: AuthService,
): Promise<{ principal: Principal; session?: string } | undefined> {
  const h = ctx.get('Authorization');
  if (h) {
    const m = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(h);
    if (!m) {
      ctx.set('WWW-Authenticate', 'Bearer realm="tocsin", error="invalid_request"');
      throw new TocsinError('unauthorized', 'the Authorization header must be `Bearer <token>`');
    }
    const principal = await auth.verifyToken(m[1]);
    if (!principal) {
      ctx.set('WWW-Authenticate', 'Bearer realm="tocsin", error="invalid_token"');
      throw new TocsinError('unauthorized', 'the token is unknown, revoked or expired');
    }
    return { principal };
  }
  const session = ctx.cookies.get(SESSION_COOKIE);
  if (!session) return undefined;
  const principal = await auth.authenticate(session);
  return principal ? { principal, session } : undefined;
}

export function authMiddleware(d: AuthDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method === 'OPTIONS') return next();
    const key = routeKey(d.routers(), ctx.path, ctx.method);
    if (!key) return next();
    const access = ROUTE_ACCESS[key];
    if (!access) {
      d.logger.error({ route: key }, 'route declares no access rule: refused');
      throw new TocsinError('forbidden', 'this route is not available');
    }
    if (access.kind === 'public') return next();
    const found = await principalOf(ctx, d.auth);
    if (!found) {
      ctx.set('WWW-Authenticate', 'Bearer realm="tocsin"');
      throw new TocsinError('unauthorized', 'log in (POST /api/v1/auth/login) or send an API token');
    }
    const { principal, session } = found;
    ctx.state.principal = principal;
    ctx.state.session = session;
    if (principal.mustChangePassword && !WHILE_PASSWORD_MUST_CHANGE.has(key)) {
      throw new TocsinError('forbidden', 'change your password first (POST /api/v1/auth/password)');
    }
    if (session && !SAFE.has(ctx.method) && !(await d.auth.verifyCsrf(session, ctx.get(CSRF_HEADER)))) {
      throw new TocsinError('forbidden', `a change made with the session cookie needs its ${CSRF_HEADER} header`);
    }
    const granting = grantingPermissions(access);
    if (granting.length > 0 && !granting.some((p) => principal.permissions.includes(p))) {
      const needs = granting.map((p) => `'${p}'`).join(' or ');
      await d.accessLog
        .append({
          at: d.clock.now(),
          actor: principal.loginName,
          source: ctx.ip,
          action: 'permission.denied',
          outcome: 'denied',
          target: key,
          details: { permission: granting.join(' | '), via: principal.kind },
        })
        .catch((err: unknown) => d.logger.error({ err }, 'could not write the access log'));
      throw new TocsinError('forbidden', `this needs the permission ${needs}`);
    }
    if (session) await d.auth.touch(session);
    await next();
  };
}
