/**
 * Users: who may see and change whom (by shared environments), creating, changing, deleting,
 * locking and unlocking users with the rules that hold whoever calls (the built-in admin stays
 * and keeps its name and group, login names are unique without regard to case, nobody grants
 * a group or environments beyond their own, a stale `ifVersion` writes nothing). UserAccounts,
 * behind AuthService's user methods; passwords and PINs are in auth-credentials.ts, erasure in
 * auth-erasure.ts.
 */
import { randomUUID } from 'node:crypto';
import { TocsinError, type ProblemDetail } from '../domain/errors.ts';
import {
  checkPassword,
  isValidPin,
  loginKey,
  userInputSchema,
  userPatchSchema,
  type User,
} from '../domain/identity.ts';
import { allInScope, anyInScope, inScope } from '../domain/environments.ts';
import { ADMINISTRATOR_GROUP } from '../domain/permissions.ts';
import type { IfVersion, UserChange } from '../ports/identity-store.ts';
import { accountKey } from './login-throttle.ts';
import { hashSecret } from './passwords.ts';
import { invalid, parseOrThrow, publicUser, stale, type AuthContext } from './auth-context.ts';
import { SYSTEM, scopeOf, type Actor } from './auth-principal.ts';

export class UserAccounts {
  constructor(private readonly c: AuthContext) {}

  /** Throws validation when `actor` would grant a group or environments beyond its own. */
  private async checkGrant(actor: Actor, groupId: string | undefined, environments: readonly string[] | undefined) {
    if (actor.kind === 'system') return;
    const problems: ProblemDetail[] = [];
    if (groupId !== undefined) {
      const group = await this.c.store.getGroup(groupId);
      if (!group) problems.push({ pointer: '/userGroup', reason: `user group '${groupId}' does not exist` });
      else if (group.permissions.some((p) => !actor.permissions.includes(p)))
        problems.push({ pointer: '/userGroup', reason: 'the group holds permissions you do not hold' });
    }
    for (const [i, e] of (environments ?? []).entries())
      if (!inScope(actor.environments, e))
        problems.push({ pointer: `/environments/${i}`, reason: 'an environment you do not hold' });
    if (problems.length > 0) throw invalid('you cannot grant more than you hold', problems);
  }

  /** Whether a notification recipient may be notified (see AuthService.mayReceiveNotifications). */
  async mayReceiveNotifications(recipient: string): Promise<boolean> {
    if (recipient.includes(':')) return true;
    const user = await this.c.store.findUserByLoginKey(loginKey(recipient));
    if (!user) return true;
    if (user.erased) return false;
    const group = await this.c.store.getGroup(user.userGroup);
    return group?.permissions.includes('receive-notifications') ?? false;
  }

  /** The users `actor` may see: those sharing at least one environment with it. */
  async listUsers(actor: Actor = SYSTEM): Promise<User[]> {
    const scope = scopeOf(actor);
    return (await this.c.store.listUsers()).filter((u) => anyInScope(scope, u.environments)).map(publicUser);
  }

  /** A user `actor` may see; not-found for one outside its environments (the id is not confirmed). */
  async getUser(id: string, actor: Actor = SYSTEM): Promise<User> {
    const u = await this.c.store.getUser(id);
    if (!u || !anyInScope(scopeOf(actor), u.environments))
      throw new TocsinError('not-found', `user '${id}' does not exist`);
    return publicUser(u);
  }

  /** A user `actor` may see and holds every environment of. Throws not-found or forbidden. */
  async getWritableUser(id: string, actor: Actor): Promise<User> {
    const u = await this.getUser(id, actor);
    if (!allInScope(scopeOf(actor), u.environments))
      throw new TocsinError('forbidden', 'this user also belongs to environments you do not hold');
    return u;
  }

  /** Creates a user (see AuthService.createUser). Throws validation or conflict. */
  async createUser(
    actor: Actor,
    input: unknown,
    password: unknown,
    opts: { readonly pin?: unknown; readonly mustChangePassword?: boolean } = {},
  ): Promise<User> {
    const u = parseOrThrow(userInputSchema, input, 'user');
    const policy = checkPassword(password, u.loginName);
    if (!policy.ok) throw invalid(policy.reason, [{ pointer: '/password', reason: policy.reason }]);
    if (opts.pin !== undefined && !isValidPin(opts.pin))
      throw invalid('invalid PIN', [{ pointer: '/pin', reason: 'a PIN is 4–8 digits' }]);
    await this.checkGrant(actor, u.userGroup, u.environments);
    const now = this.c.now();
    const id = randomUUID();
    const key = loginKey(u.loginName);
    const result = await this.c.store.insertUser(
      {
        id,
        loginName: u.loginName,
        loginKey: key,
        displayName: u.displayName,
        phone: u.phone ?? null,
        mobile: u.mobile ?? null,
        email: u.email ?? null,
        language: u.language,
        startPage: u.startPage,
        userGroup: u.userGroup,
        environments: u.environments,
        passwordHash: await hashSecret(password as string, this.c.scrypt),
        pinHash: opts.pin !== undefined ? await hashSecret(opts.pin as string, this.c.scrypt) : null,
        mustChangePassword: opts.mustChangePassword ?? true,
        builtIn: false,
      },
      now,
    );
    await throwWrite(this.c, result, id, u.loginName, u.userGroup);
    // A name attackers tried before it existed starts with a clean slate.
    await this.c.store.clearThrottle(accountKey(key));
    const user = await this.getUser(id);
    await this.c.audit({
      action: 'user.create',
      outcome: 'success',
      actor: actor.loginName,
      target: id,
      details: { loginName: user.loginName, userGroup: user.userGroup, environments: user.environments },
    });
    return user;
  }

  /** Changes a user's fields (see AuthService.updateUser). Throws validation, conflict, not-found or precondition-failed. */
  async updateUser(
    actor: Actor,
    id: string,
    patch: unknown,
    opts: { readonly ifVersion?: IfVersion } = {},
  ): Promise<User> {
    const p = parseOrThrow(userPatchSchema, patch, 'user change');
    const before = await this.c.store.getUser(id);
    if (!before) throw new TocsinError('not-found', `user '${id}' does not exist`);
    if (before.erased) throw new TocsinError('conflict', 'an erased user cannot be changed');
    if (before.builtIn && p.loginName !== undefined && loginKey(p.loginName) !== before.loginKey)
      throw new TocsinError('conflict', 'the built-in admin keeps its login name');
    if (before.builtIn && p.userGroup !== undefined && p.userGroup !== ADMINISTRATOR_GROUP)
      throw new TocsinError('conflict', 'the built-in admin stays in the Administrator group');
    await this.checkGrant(actor, p.userGroup, p.environments);
    const change: UserChange = {
      ...p,
      ...(p.loginName !== undefined ? { loginKey: loginKey(p.loginName) } : {}),
    };
    await throwWrite(
      this.c,
      await this.c.store.updateUser(id, change, this.c.now(), opts.ifVersion),
      id,
      p.loginName,
      p.userGroup,
    );
    if (change.loginKey !== undefined && change.loginKey !== before.loginKey)
      await this.c.store.clearThrottle(accountKey(change.loginKey));
    await this.c.audit({
      action: 'user.update',
      outcome: 'success',
      actor: actor.loginName,
      target: id,
      details: { fields: Object.keys(p).sort() },
    });
    return this.getUser(id);
  }

  /** Deletes a user with their sessions and tokens; the built-in admin stays. Throws not-found, conflict or precondition-failed. */
  async deleteUser(actor: Actor, id: string, opts: { readonly ifVersion?: IfVersion } = {}): Promise<void> {
    const user = await this.c.store.getUser(id);
    if (!user) throw new TocsinError('not-found', `user '${id}' does not exist`);
    if (user.builtIn) {
      await this.c.audit({ action: 'user.delete', outcome: 'failure', actor: actor.loginName, target: id });
      throw new TocsinError('conflict', 'the built-in admin cannot be deleted');
    }
    if (!(await this.c.store.deleteUser(id, opts.ifVersion))) {
      const now = await this.c.store.getUser(id);
      if (now && opts.ifVersion !== undefined) throw stale(`user '${id}'`, now.version);
      throw new TocsinError('not-found', `user '${id}' does not exist`);
    }
    await this.c.audit({
      action: 'user.delete',
      outcome: 'success',
      actor: actor.loginName,
      target: id,
      details: { loginName: user.loginName },
    });
  }

  /** Locks an account (no login, no token use) until unlocked; ends its sessions. */
  async lockUser(actor: Actor, userId: string): Promise<void> {
    await throwWrite(this.c, await this.c.store.updateUser(userId, { locked: true }, this.c.now()), userId);
    await this.c.store.deleteSessionsOfUser(userId);
    await this.c.audit({ action: 'user.lock', outcome: 'success', actor: actor.loginName, target: userId });
  }

  /** Unlocks an account and clears its failed-login count. Throws not-found. */
  async unlockUser(actor: Actor, userId: string): Promise<void> {
    const user = await this.c.store.getUser(userId);
    if (!user) throw new TocsinError('not-found', `user '${userId}' does not exist`);
    await this.c.store.updateUser(userId, { locked: false }, this.c.now());
    await this.c.store.clearThrottle(accountKey(user.loginKey));
    await this.c.audit({ action: 'user.unlock', outcome: 'success', actor: actor.loginName, target: userId });
  }
}

/** Throws the error of a refused user write; `version-mismatch` reads the current version for its message. */
export async function throwWrite(
  c: AuthContext,
  result: string,
  userId: string,
  loginName?: string,
  group?: string,
): Promise<void> {
  if (result === 'version-mismatch') throw stale(`user '${userId}'`, (await c.store.getUser(userId))?.version);
  if (result === 'duplicate-login') throw new TocsinError('conflict', `login name '${loginName}' is taken`);
  if (result === 'unknown-group')
    throw invalid('unknown user group', [{ pointer: '/userGroup', reason: `user group '${group}' does not exist` }]);
  if (result === 'not-found') throw new TocsinError('not-found', 'the user does not exist');
}
