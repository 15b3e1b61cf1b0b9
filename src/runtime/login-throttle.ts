/**
 * Login throttling as pure decisions over throttle rows (stored by the IdentityStore). Two
 * kinds of key: `account:<login key>` and `source:<address>`. From the `backOffAfter`th failure
 * on, each failure blocks the key for twice as long as the one before (base, 2·base, 4·base … up
 * to `maxDelayMs`); an account
 * key is locked at `lockoutAfter` failures until an admin unlocks it. Keys are counted whether
 * or not the account exists, so throttling and lockout tell nothing about which names exist.
 * A row with no failure for `resetAfterMs` starts again from zero (a locked row never does).
 */
import type { ThrottleRow } from '../ports/identity-store.ts';

export interface ThrottlePolicy {
  /** The failure that first blocks (3: the third failure blocks for `baseDelayMs`). */
  readonly backOffAfter: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Account failures that lock the account; sources are never locked, only slowed. */
  readonly lockoutAfter: number;
  readonly resetAfterMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  backOffAfter: 3,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  lockoutAfter: 10,
  resetAfterMs: 60 * 60_000,
};

export const accountKey = (loginKey: string): string => `account:${loginKey}`;
export const sourceKey = (address: string): string => `source:${address}`;

/** The row after one more failure at `now` (the store applies it under a row lock). */
export function nextFailure(key: string, cur: ThrottleRow | undefined, now: number, p: ThrottlePolicy): ThrottleRow {
  const fresh = !cur || (!cur.locked && now - cur.lastAt >= p.resetAfterMs);
  const failures = fresh ? 1 : cur.failures + 1;
  const locked = (!fresh && cur.locked) || (key.startsWith('account:') && failures >= p.lockoutAfter);
  const over = failures - p.backOffAfter + 1;
  const blockedUntil = over > 0 ? now + Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.min(over - 1, 30)) : null;
  return { key, failures, firstAt: fresh ? now : cur.firstAt, lastAt: now, blockedUntil, locked };
}

export type Block = { readonly reason: 'locked' } | { readonly reason: 'throttled'; readonly retryAfterMs: number };

/** Whether `rows` forbid an attempt at `now`: a lock wins over a wait; the longest wait wins. */
export function blockOf(rows: readonly ThrottleRow[], now: number): Block | undefined {
  if (rows.some((r) => r.locked)) return { reason: 'locked' };
  const wait = Math.max(0, ...rows.map((r) => (r.blockedUntil ?? 0) - now));
  return wait > 0 ? { reason: 'throttled', retryAfterMs: wait } : undefined;
}
