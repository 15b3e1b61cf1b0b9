/**
 * Typed errors. `code` is stable and machine-readable; `status` is the HTTP status the
 * problem-JSON middleware answers with. Only 4xx messages are ever shown to clients.
 */
export type ErrorCode =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'too-many-requests'
  | 'validation'
  | 'not-found'
  | 'unknown-alarm-type'
  | 'alarm-ended'
  | 'conflict'
  | 'precondition-failed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'too-many-requests': 429,
  validation: 422,
  'not-found': 404,
  'unknown-alarm-type': 422,
  'alarm-ended': 409,
  conflict: 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unavailable: 503,
  internal: 500,
};

export class TocsinError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly ProblemDetail[] | undefined;

  constructor(code: ErrorCode, message: string, opts?: { cause?: unknown; details?: readonly ProblemDetail[] }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TocsinError';
    this.code = code;
    this.status = statusOf[code];
    this.details = opts?.details;
  }
}

/** One precise complaint about an input: where (a JSON pointer into the body, or a path/query parameter) and why. */
export type ProblemDetail =
  { readonly pointer: string; readonly reason: string } | { readonly parameter: string; readonly reason: string };

/** RFC 6901 JSON Pointer for a path of keys. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** True for errors that mean "the database or Redis cannot be reached right now". */
export function isUnavailableError(err: unknown): boolean {
  if (err instanceof TocsinError) return err.code === 'unavailable';
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, connection exceptions (08xxx).
  if (['57P01', '57P02', '57P03'].includes(code) || code.startsWith('08')) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection is closed/i.test(
    msg,
  );
}
