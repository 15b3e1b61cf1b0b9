/**
 * Erasure of a user's personal data (issue 4, item 10): the user record's personal fields are
 * replaced by a pseudonym, the account is locked, its sessions end and its tokens are revoked;
 * with `PersonalData`, the same values are first forgotten outside the user record (the
 * protocol's pseudonym mapping, the alarm tables). The function behind
 * AuthService.erasePersonalData.
 */
import { TocsinError } from '../domain/errors.ts';
import type { ErasePair, ErasureCounts } from '../ports/alarm-store.ts';
import { accountKey } from './login-throttle.ts';
import { sha256 } from './passwords.ts';
import type { AuthContext } from './auth-context.ts';
import type { Actor } from './auth-principal.ts';
import { throwWrite } from './auth-users.ts';

/**
 * Erasure of a user's values outside the user record: `pseudonymise` is the installation's
 * pseudonymiser, `erase` the store's AlarmStore.erasePersonalValues.
 */
export interface PersonalData {
  pseudonymise(value: string): string;
  erase(pairs: readonly ErasePair[], at: number): Promise<ErasureCounts>;
}

/**
 * Erases `userId`'s personal data (see AuthService.erasePersonalData); the values outside the
 * user record go first, so a failure leaves the user as it was. Returns the record's pseudonym.
 * Throws not-found, or conflict for the built-in admin.
 */
export async function erasePersonalData(
  c: AuthContext,
  pd: PersonalData | undefined,
  actor: Actor,
  userId: string,
): Promise<{ pseudonym: string }> {
  const user = await c.store.getUser(userId);
  if (!user) throw new TocsinError('not-found', `user '${userId}' does not exist`);
  if (user.builtIn) throw new TocsinError('conflict', 'the built-in admin has no personal data to erase');
  const pseudonym = `erased-${sha256(`tocsin-user:${userId}`).slice(0, 12)}`;
  const now = c.now();
  // The same values outside the user record: the protocol's pseudonym mapping, the alarm tables.
  let protocol: { pseudonym: string; rows: ErasureCounts } | undefined;
  if (pd && !user.erased) {
    const values = [
      ...new Set(
        [user.loginName, user.loginKey, user.displayName, user.phone, user.mobile, user.email].filter(
          (v): v is string => typeof v === 'string' && v !== '',
        ),
      ),
    ];
    const rows = await pd.erase(
      values.map((value) => ({ value, pseudonym: pd.pseudonymise(value) })),
      now,
    );
    protocol = { pseudonym: pd.pseudonymise(user.loginName), rows };
  }
  await throwWrite(
    c,
    await c.store.updateUser(
      userId,
      {
        loginName: pseudonym,
        loginKey: pseudonym,
        displayName: pseudonym,
        phone: null,
        mobile: null,
        email: null,
        pinHash: null,
        locked: true,
        erased: true,
      },
      now,
    ),
    userId,
  );
  await c.store.deleteSessionsOfUser(userId);
  await c.store.revokeTokensOf(userId, now);
  await c.store.clearThrottle(accountKey(user.loginKey));
  await c.audit({
    action: 'user.erase',
    outcome: 'success',
    actor: actor.loginName,
    target: userId,
    details: { pseudonym, ...(protocol ? { protocol } : {}) },
  });
  return { pseudonym };
}
