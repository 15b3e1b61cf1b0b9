/**
 * Login and server-side sessions: the throttled login (an unknown user does the work of a real
 * one and gets the same answer as a wrong password; an account locks after too many failures),
 * then sessions with an idle and an absolute timeout and a CSRF token, of which only SHA-256
 * hashes are stored. Sessions, behind AuthService's login and session methods.
 */
import {
  LOGIN_NAME_MAX,
  PASSWORD_MAX,
  boundedLength,
  isBoundedLoginName,
  loginKey,
  type User,
} from '../domain/identity.ts';
import { accountKey, blockOf, nextFailure, sourceKey } from './login-throttle.ts';
import { digestsEqual, hashSecret, needsRehash, randomSecret, sha256, verifyDummy, verifySecret } from './passwords.ts';
import { MAX_SECRET_TEXT, TOUCH_EVERY_MS, bounded, publicUser, type AuthContext } from './auth-context.ts';
import { SYSTEM, principalOf, type Principal } from './auth-principal.ts';

export type LoginResult =
  | {
      readonly ok: true;
      /** The new session id (cookie value); only its hash is stored. */
      readonly session: string;
      /** Send back with every cookie-authenticated change; only its hash is stored. */
      readonly csrfToken: string;
      readonly user: User;
      readonly mustChangePassword: boolean;
    }
  | {
      readonly ok: false;
      /** `invalid`: unknown user or wrong password, indistinguishably. `locked`: an admin must unlock. */
      readonly reason: 'invalid' | 'throttled' | 'locked';
      /** How long until another attempt may succeed (0: now; absent when locked). */
      readonly retryAfterMs?: number;
    };

export class Sessions {
  constructor(private readonly c: AuthContext) {}

  /**
   * Checks a login (AuthService.login). Every failure is audited and counted; success ends the
   * account's failure count and opens a new session.
   */
  async login(loginName: unknown, password: unknown, sourceAddress: string): Promise<LoginResult> {
    const now = this.c.now();
    const source = String(sourceAddress).slice(0, 100);
    const nameOk = isBoundedLoginName(loginName);
    const key = nameOk ? loginKey(loginName) : undefined;
    const keys = [sourceKey(source), ...(key !== undefined ? [accountKey(key)] : [])];
    const actor = typeof loginName === 'string' ? loginName.slice(0, LOGIN_NAME_MAX) : '';
    const fail = async (result: LoginResult & { ok: false }, reason: string) => {
      await this.c.audit({ action: 'login', outcome: 'failure', actor, source, details: { reason } });
      return result;
    };

    const block = blockOf(await this.c.store.getThrottle(keys), now);
    if (block) return fail({ ok: false, ...block }, block.reason);

    const pwOk = typeof password === 'string' && boundedLength(password, PASSWORD_MAX) <= PASSWORD_MAX;
    const user = key !== undefined ? await this.c.store.findUserByLoginKey(key) : undefined;
    let valid = false;
    if (pwOk && user && !user.erased) valid = await verifySecret(password, user.passwordHash);
    else if (pwOk) await verifyDummy(password, this.c.scrypt);
    // An over-long password is refused without hashing; its length says nothing about the user.

    if (!valid) {
      let retryAfterMs = 0;
      let lockedNow = false;
      for (const k of keys) {
        const row = await this.c.store.recordFailure(k, (cur) => nextFailure(k, cur, now, this.c.throttle));
        if (row.blockedUntil !== null) retryAfterMs = Math.max(retryAfterMs, row.blockedUntil - now);
        if (row.locked && k.startsWith('account:')) lockedNow = true;
      }
      if (lockedNow && user && !user.locked && !user.erased) {
        await this.c.store.updateUser(user.id, { locked: true }, now);
        await this.c.audit({
          action: 'user.lock',
          outcome: 'success',
          actor: SYSTEM.loginName,
          source,
          target: user.id,
          details: { reason: 'too many failed logins' },
        });
      }
      return fail({ ok: false, reason: 'invalid', retryAfterMs }, pwOk ? 'invalid' : 'password too long');
    }
    const u = user!;
    if (u.locked) return fail({ ok: false, reason: 'locked' }, 'locked');

    await this.c.store.clearThrottle(accountKey(u.loginKey));
    if (needsRehash(u.passwordHash, this.c.scrypt))
      await this.c.store.updateUser(u.id, { passwordHash: await hashSecret(password as string, this.c.scrypt) }, now);
    const session = randomSecret(32);
    const csrfToken = randomSecret(32);
    await this.c.store.insertSession({
      idHash: sha256(session),
      userId: u.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.c.absoluteMs,
      source,
      csrfHash: sha256(csrfToken),
    });
    await this.c.audit({ action: 'login', outcome: 'success', actor: u.loginName, source, target: u.id });
    return { ok: true, session, csrfToken, user: publicUser(u), mustChangePassword: u.mustChangePassword };
  }

  /** The live session's row, or undefined (an expired one is deleted and audited on the way). */
  private async liveSession(sessionId: unknown) {
    if (!bounded(sessionId, MAX_SECRET_TEXT)) return undefined;
    const row = await this.c.store.getSession(sha256(sessionId));
    if (!row) return undefined;
    const now = this.c.now();
    const idle = now - row.lastSeenAt >= this.c.idleMs;
    if (idle || now >= row.expiresAt) {
      if (await this.c.store.deleteSession(row.idHash))
        await this.c.audit({
          action: 'session.expired',
          outcome: 'success',
          actor: row.userId,
          target: row.userId,
          details: { reason: idle ? 'idle' : 'absolute' },
        });
      return undefined;
    }
    return row;
  }

  /** The principal of a live session (idle and absolute timeouts applied), or undefined. Does not touch. */
  async authenticate(sessionId: unknown): Promise<Principal | undefined> {
    const row = await this.liveSession(sessionId);
    return row && principalOf(this.c.store, row.userId, 'session');
  }

  /** Marks a live session as used now (restarts its idle timeout, never its absolute one). False when not live. */
  async touch(sessionId: unknown): Promise<boolean> {
    const row = await this.liveSession(sessionId);
    if (row === undefined) return false;
    // The idle timeout is minutes: refreshing last-seen at most every TOUCH_EVERY_MS is enough.
    const now = this.c.now();
    return now - row.lastSeenAt < TOUCH_EVERY_MS || this.c.store.touchSession(row.idHash, now);
  }

  /** True when `csrfToken` is the token issued with this live session (constant-time comparison). */
  async verifyCsrf(sessionId: unknown, csrfToken: unknown): Promise<boolean> {
    if (!bounded(csrfToken, MAX_SECRET_TEXT)) return false;
    const row = await this.liveSession(sessionId);
    return row !== undefined && digestsEqual(sha256(csrfToken), row.csrfHash);
  }

  /** Ends a session; audited when there was one. Idempotent. */
  async logout(sessionId: unknown, sourceAddress?: string): Promise<boolean> {
    if (!bounded(sessionId, MAX_SECRET_TEXT)) return false;
    const row = await this.c.store.getSession(sha256(sessionId));
    if (!row || !(await this.c.store.deleteSession(row.idHash))) return false;
    const user = await this.c.store.getUser(row.userId);
    await this.c.audit({
      action: 'logout',
      outcome: 'success',
      actor: user?.loginName ?? row.userId,
      target: row.userId,
      ...(sourceAddress !== undefined ? { source: sourceAddress.slice(0, 100) } : {}),
    });
    return true;
  }

  /** Deletes sessions past their idle or absolute timeout; returns how many. */
  async purgeExpiredSessions(): Promise<number> {
    const now = this.c.now();
    return this.c.store.purgeSessions(now - this.c.idleMs, now);
  }
}
