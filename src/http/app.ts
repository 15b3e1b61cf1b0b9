/**
 * The Koa app as a function of its dependencies: createApp(deps) returns the app; tests use
 * `app.callback()` without opening a port. Bodies are JSON only, at most 64 KiB.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { AlarmStore } from '../ports/alarm-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { AlarmRuntime } from '../runtime/alarm-runtime.ts';
import type { Logger } from '../runtime/observer.ts';
import type { PlanTools } from '../runtime/plan-tools.ts';
import type { ConfigService } from '../runtime/config-service.ts';
import type { AuthService } from '../runtime/auth-service.ts';
import type { AccessLog } from '../ports/access-log.ts';
import { authMiddleware } from './auth.ts';
import { authRoutes } from './auth-routes.ts';
import { accessLogRoutes } from './access-log-routes.ts';
import { phoneRoutes } from './phone-routes.ts';
import { operationRoutes } from './operation-routes.ts';
import type { Phones } from '../ports/phones.ts';
import type { ChangeFeed } from '../runtime/alarm-watch.ts';
import { auditTo } from './actor.ts';
import { alarmRoutes } from './alarm-routes.ts';
import { configRoutes } from './config-routes.ts';
import { identityRoutes } from './identity-routes.ts';
import { planRoutes } from './plan-routes.ts';
import { planVersionRoutes } from './plan-version-routes.ts';
import { replayRoutes } from './replay-routes.ts';
import { protocolRoutes } from './protocol-routes.ts';
import { systemRoutes } from './system-routes.ts';
import type { SystemControl } from '../ports/system-control.ts';
import { openApiDocument } from './openapi.ts';
import { problemMiddleware, sendProblem } from './problem.ts';
import { securityHeaders } from './security-headers.ts';
import { webConsole } from './web-routes.ts';

export interface HttpDeps {
  readonly runtime: AlarmRuntime;
  readonly store: AlarmStore;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Prometheus exposition text and its content type. */
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly planTools: PlanTools;
  readonly configService: ConfigService;
  /** Stamps plan publications and disables; default: the system clock. */
  readonly clock?: Clock;
  /** Served over TLS: adds HSTS to the security headers and Secure to cookies. Default false. */
  readonly tls?: boolean;
  readonly auth: AuthService;
  readonly accessLog: AccessLog;
  /** The DECT link's handsets; absent without a DECT link. */
  readonly phones?: Phones;
  /** The built web console (`npm run build:web`); default dist/web. */
  readonly webDir?: string;
  /** The store's change feed: the live alarm events (`GET /api/v1/alarms/events`). */
  readonly feed?: ChangeFeed;
  /** Interface status, monitor, restart, supervision (`/api/v1/system/…`); absent: those answer 503. */
  readonly system?: SystemControl;
}

export const MAX_BODY = '64kb';

export function createApp(deps: HttpDeps): Koa {
  const app = new Koa();
  app.use(securityHeaders({ tls: deps.tls === true }));
  app.use(problemMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  // Every router, for the auth middleware to find the route a request would take.
  const routers: Router[] = [];
  const clock = deps.clock ?? { now: () => Date.now() };
  app.use(
    authMiddleware({ auth: deps.auth, accessLog: deps.accessLog, clock, logger: deps.logger, routers: () => routers }),
  );
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: MAX_BODY,
      encoding: 'utf-8',
      // A JSON body must be an object or array; a bare string or number is malformed here.
      jsonStrict: true,
    }),
  );

  const ops = new Router();
  ops.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  ops.get('/readyz', async (ctx) => {
    const check = async (name: string, f: () => Promise<void>) => {
      try {
        await f();
        return { name, ok: true };
      } catch (err) {
        return { name, ok: false, error: (err as Error).message };
      }
    };
    const checks = await Promise.all([
      check(`database (${deps.store.kind})`, () => deps.store.ping()),
      check(`scheduler (${deps.scheduler.kind})`, () => deps.scheduler.ping()),
    ]);
    if (checks.every((c) => c.ok)) {
      ctx.body = { status: 'ready', checks };
    } else {
      ctx.set('Retry-After', '5');
      sendProblem(ctx, {
        type: 'urn:tocsin:problem:unavailable',
        title: 'Service Unavailable',
        status: 503,
        detail: checks
          .filter((c) => !c.ok)
          .map((c) => `${c.name} unreachable`)
          .join('; '),
      });
    }
  });
  ops.get('/metrics', async (ctx) => {
    const m = await deps.metrics();
    ctx.type = m.contentType;
    ctx.body = m.body;
  });
  ops.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });

  const alarms = alarmRoutes(deps);
  const plans = planRoutes(deps.planTools);
  const audit = auditTo(deps.accessLog, clock);
  const planVersions = planVersionRoutes({ store: deps.store, planTools: deps.planTools, clock, audit });
  const config = configRoutes(deps.configService, audit);
  const auth = authRoutes(deps.auth, { secureCookies: deps.tls === true });
  const identity = identityRoutes(deps.auth);
  const accessLogApi = accessLogRoutes({ accessLog: deps.accessLog, clock });
  const phones = phoneRoutes(deps.phones, audit);
  const replay = replayRoutes({ store: deps.store, clock, audit });
  const protocol = protocolRoutes({ store: deps.store, accessLog: deps.accessLog, clock });
  routers.push(ops, auth, alarms, plans, planVersions, config, identity, accessLogApi, phones, replay, protocol);
  routers.push(operationRoutes({ ...deps, audit }));
  routers.push(systemRoutes({ control: deps.system, configService: deps.configService, store: deps.store, audit }));
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  // After the API: the console's public pages and assets (web-routes.ts), never under /api/.
  app.use(webConsole(deps.webDir === undefined ? {} : { dir: deps.webDir }));
  return app;
}
