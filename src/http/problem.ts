/**
 * One middleware maps every error to RFC 9457 problem JSON. Only 4xx messages are shown;
 * 5xx answers carry a generic title and the request id, never a stack trace or SQL.
 */
import type { Context, Next } from 'koa';
import { isUnavailableError, TocsinError, type ProblemDetail } from '../domain/errors.ts';
import type { Logger } from '../runtime/observer.ts';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemDetail[];
}

const typeUri = (code: string) => `urn:tocsin:problem:${code}`;

/**
 * At most this many `errors` in one answer, each reason at most MAX_REASON characters: a 64 KiB
 * body of 6 000 unknown keys would otherwise get a 340 KB answer (one entry each, or one reason
 * naming them all). The `detail` then says how many were left out.
 */
export const MAX_PROBLEM_ERRORS = 100;
const MAX_REASON = 300;

function bounded(d: ProblemDetail): ProblemDetail {
  return d.reason.length <= MAX_REASON ? d : { ...d, reason: `${d.reason.slice(0, MAX_REASON - 1)}…` };
}

// Honest about the one case where a write did happen: the connection dropped after COMMIT.
const UNAVAILABLE =
  'a required service is unavailable and the request did not complete; retry it (a raise with an `id` is safe to retry)';

export function sendProblem(ctx: Context, p: Problem): void {
  ctx.status = p.status;
  ctx.type = 'application/problem+json';
  ctx.body = p;
}

/** Converts anything thrown below into a problem answer. */
export function problemMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendProblem(ctx, {
          type: typeUri('not-found'),
          title: 'Not Found',
          status: 404,
          detail: `no route for ${ctx.method} ${ctx.path}`,
          instance: ctx.path,
        });
      } else if (
        (ctx.status === 405 || ctx.status === 501) &&
        (ctx.body === undefined || typeof ctx.body === 'string')
      ) {
        const allowed = ctx.response.get('Allow');
        sendProblem(ctx, {
          type: typeUri(ctx.status === 405 ? 'method-not-allowed' : 'not-implemented'),
          title: ctx.status === 405 ? 'Method Not Allowed' : 'Not Implemented',
          status: ctx.status,
          detail: `${ctx.method} is not supported here${allowed ? `; allowed: ${allowed}` : ''}`,
          instance: ctx.path,
        });
      }
    } catch (err) {
      const p = toProblem(err, ctx.path);
      if (p.status >= 500) logger.error({ err, path: ctx.path, method: ctx.method }, 'request failed');
      if (p.status === 503) ctx.set('Retry-After', '5');
      sendProblem(ctx, p);
    }
  };
}

function toProblem(err: unknown, instance: string): Problem {
  if (err instanceof TocsinError) {
    if (err.status >= 500 && err.code !== 'unavailable') return internal(instance);
    const details = err.details ?? [];
    const omitted = details.length - MAX_PROBLEM_ERRORS;
    return {
      type: typeUri(err.code),
      title: titleOf(err.status),
      status: err.status,
      detail:
        err.status === 503
          ? UNAVAILABLE
          : omitted > 0
            ? `${err.message} (the first ${MAX_PROBLEM_ERRORS} of ${details.length} problems are listed)`
            : err.message,
      instance,
      ...(err.details ? { errors: details.slice(0, MAX_PROBLEM_ERRORS).map(bounded) } : {}),
    };
  }
  if (isUnavailableError(err)) {
    return {
      type: typeUri('unavailable'),
      title: 'Service Unavailable',
      status: 503,
      detail: UNAVAILABLE,
      instance,
    };
  }
  // Errors from body parsing and Koa carry an HTTP status and an exposable message.
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : 'bad-request';
    const detail =
      status === 413
        ? 'request body too large'
        : e.expose && typeof e.message === 'string'
          ? e.message
          : 'malformed request';
    return { type: typeUri(code), title: titleOf(status), status, detail, instance };
  }
  return internal(instance);
}

const internal = (instance: string): Problem => ({
  type: typeUri('internal'),
  title: 'Internal Server Error',
  status: 500,
  detail: 'the server failed; the error is logged',
  instance,
});

function titleOf(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    412: 'Precondition Failed',
    413: 'Content Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return titles[status] ?? 'Error';
}
