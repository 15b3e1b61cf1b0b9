/**
 * Who is asking, as the routes record it: the authenticated principal's login name (the auth
 * middleware ran first), and the access log entry of a change made through the API.
 */
import type { Context } from 'koa';
import type { AccessEntryInput, AccessLog } from '../ports/access-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { Principal } from '../runtime/auth-service.ts';

export const principalOf = (ctx: Context): Principal | undefined => ctx.state.principal as Principal | undefined;

/** The login name recorded for a change (`anonymous` only on public routes, which change nothing). */
export const actorName = (ctx: Context): string => principalOf(ctx)?.loginName ?? 'anonymous';

export type Audit = (
  ctx: Context,
  e: Pick<AccessEntryInput, 'action' | 'target' | 'environment' | 'details'> & {
    outcome?: AccessEntryInput['outcome'];
  },
) => Promise<void>;

export function auditTo(log: AccessLog, clock: Pick<Clock, 'now'>): Audit {
  return async (ctx, e) => {
    await log.append({ at: clock.now(), actor: actorName(ctx), source: ctx.ip, outcome: 'success', ...e });
  };
}
