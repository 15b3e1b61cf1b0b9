/**
 * A user's secrets: the own password change (the old password checked under the account's
 * login throttle, the new one under the policy), an admin setting a password, and the
 * phone-menu PIN (set, remove, verify with the same work whether or not there is one). Both
 * are hashed with scrypt (passwords.ts). Credentials, behind AuthService's password and PIN
 * methods.
 */
import { TocsinError } from '../domain/errors.ts';
import { PASSWORD_MAX, boundedLength, checkPassword, isValidPin } from '../domain/identity.ts';
import type { IfVersion } from '../ports/identity-store.ts';
import { accountKey, blockOf, nextFailure } from './login-throttle.ts';
import { hashSecret, sha256, verifyDummy, verifySecret } from './passwords.ts';
import { invalid, type AuthContext } from './auth-context.ts';
import type { Actor } from './auth-principal.ts';
import { throwWrite } from './auth-users.ts';

export type PasswordChangeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'invalid' | 'throttled' | 'locked' | 'policy'; readonly message: string };

export class Credentials {
  constructor(private readonly c: AuthContext) {}

  /**
   * The user's own password change (see AuthService.changePassword): refusals are results,
   * audited; only an unknown or erased user throws (not-found).
   */
  async changePassword(
    userId: string,
    oldPassword: unknown,
    newPassword: unknown,
    opts: { readonly keepSessionId?: string; readonly source?: string } = {},
  ): Promise<PasswordChangeResult> {
    const now = this.c.now();
    const user = await this.c.store.getUser(userId);
    if (!user || user.erased) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    const base = { action: 'password.change' as const, actor: user.loginName, target: user.id };
    const src = opts.source !== undefined ? { source: opts.source.slice(0, 100) } : {};
    const refuse = async (reason: 'invalid' | 'throttled' | 'locked' | 'policy', message: string) => {
      await this.c.audit({ ...base, ...src, outcome: 'failure', details: { reason } });
      return { ok: false as const, reason, message };
    };
    const key = accountKey(user.loginKey);
    const block = blockOf(await this.c.store.getThrottle([key]), now);
    if (block) return refuse(block.reason, 'too many failed attempts; try again later');
    const oldOk =
      typeof oldPassword === 'string' &&
      boundedLength(oldPassword, PASSWORD_MAX) <= PASSWORD_MAX &&
      (await verifySecret(oldPassword, user.passwordHash));
    if (!oldOk) {
      await this.c.store.recordFailure(key, (cur) => nextFailure(key, cur, now, this.c.throttle));
      return refuse('invalid', 'the current password is wrong');
    }
    const policy = checkPassword(newPassword, user.loginName);
    if (!policy.ok) return refuse('policy', policy.reason);
    if (newPassword === oldPassword) return refuse('policy', 'the new password must differ from the current one');
    await this.c.store.updateUser(
      user.id,
      { passwordHash: await hashSecret(newPassword as string, this.c.scrypt), mustChangePassword: false },
      now,
    );
    const keep = opts.keepSessionId !== undefined ? sha256(opts.keepSessionId) : undefined;
    const ended = await this.c.store.deleteSessionsOfUser(user.id, keep);
    await this.c.audit({ ...base, ...src, outcome: 'success', details: { endedSessions: ended } });
    return { ok: true };
  }

  /** An admin sets a user's password (policy applies) and ends all their sessions. Throws not-found or validation. */
  async setPassword(
    actor: Actor,
    userId: string,
    password: unknown,
    opts: { readonly mustChangePassword?: boolean } = {},
  ): Promise<void> {
    const user = await this.c.store.getUser(userId);
    if (!user || user.erased) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    const policy = checkPassword(password, user.loginName);
    if (!policy.ok) throw invalid(policy.reason, [{ pointer: '/password', reason: policy.reason }]);
    const passwordHash = await hashSecret(password as string, this.c.scrypt);
    const mustChangePassword = opts.mustChangePassword ?? true;
    await this.c.store.updateUser(userId, { passwordHash, mustChangePassword }, this.c.now());
    await this.c.store.deleteSessionsOfUser(userId);
    await this.c.audit({ action: 'password.set', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /** Sets (4–8 digits) or removes (null) a user's PIN. Throws validation or the refused write's error. */
  async setPin(
    actor: Actor,
    userId: string,
    pin: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<void> {
    if (pin !== null && !isValidPin(pin)) throw invalid('invalid PIN', [{ pointer: '/pin', reason: '4–8 digits' }]);
    const pinHash = pin === null ? null : await hashSecret(pin, this.c.scrypt);
    await throwWrite(this.c, await this.c.store.updateUser(userId, { pinHash }, this.c.now(), opts.ifVersion), userId);
    await this.c.audit({ action: 'user.pin', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /** True when `pin` is the user's PIN (false for no PIN, unknown, locked or erased users; same work either way). */
  async verifyPin(userId: string, pin: unknown): Promise<boolean> {
    if (!isValidPin(pin)) return false;
    const user = await this.c.store.getUser(userId);
    if (!user?.pinHash || user.locked || user.erased) return verifyDummy(pin, this.c.scrypt);
    return verifySecret(pin, user.pinHash);
  }
}
