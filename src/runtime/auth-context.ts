/**
 * What the parts of the identity service (auth-service.ts and the auth-*.ts modules it
 * delegates to) share: the narrow context they run in (store, clock, audit sink, hash cost,
 * throttle policy, session timeouts), the audit events they report, and the small helpers for
 * bounded input, validation errors, stale versions and the public view of a user.
 */
import type { z } from 'zod';
import { zodProblems } from '../domain/validation.ts';
import { TocsinError, type ProblemDetail } from '../domain/errors.ts';
import type { User } from '../domain/identity.ts';
import type { IdentityStore, StoredUser } from '../ports/identity-store.ts';
import type { ThrottlePolicy } from './login-throttle.ts';
import type { ScryptParams } from './passwords.ts';

export type AuditAction =
  | 'bootstrap'
  | 'login'
  | 'logout'
  | 'session.expired'
  | 'password.change'
  | 'password.set'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'user.lock'
  | 'user.unlock'
  | 'user.erase'
  | 'user.pin'
  | 'group.create'
  | 'group.update'
  | 'group.delete'
  | 'token.create'
  | 'token.revoke';

export interface AuditEvent {
  readonly action: AuditAction;
  readonly outcome: 'success' | 'failure';
  /** Login name of who acted (for a failed login: the name tried, truncated). */
  readonly actor: string;
  readonly source?: string;
  /** Id of the user, group or token acted on. */
  readonly target?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The context every identity operation runs in; AuthService builds it once from its deps. */
export interface AuthContext {
  readonly store: IdentityStore;
  /** Hash cost; undefined: DEFAULT_SCRYPT. */
  readonly scrypt: ScryptParams | undefined;
  readonly throttle: ThrottlePolicy;
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** The clock's time in whole milliseconds. */
  now(): number;
  /** Reports an event to the access log; a failure is not caught and fails the operation. */
  audit(e: AuditEvent): Promise<void>;
}

/** Session last-seen and token last-used are written at most this often. */
export const TOUCH_EVERY_MS = 60_000;
export const MAX_SECRET_TEXT = 100;

export const bounded = (s: unknown, max: number): s is string => typeof s === 'string' && s.length <= max;
export const publicUser = ({ loginKey: _k, passwordHash: _p, pinHash: _n, ...u }: StoredUser): User => u;
export const invalid = (message: string, details: ProblemDetail[]) =>
  new TocsinError('validation', message, { details });
/** The 412 of a stale expected version, worded as the configuration API's. */
export const stale = (what: string, current: number | undefined) =>
  new TocsinError(
    'precondition-failed',
    `${what} is at version ${current ?? 0}, not the one in If-Match; it was changed meanwhile, read it again`,
  );

/** `v` parsed by `schema`; throws validation with every problem found. */
export function parseOrThrow<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  throw invalid(`invalid ${what}`, zodProblems(r.error.issues));
}
