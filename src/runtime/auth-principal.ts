/**
 * Who acts in the identity service: a principal (a logged-in user or an API token, with the
 * rights their user group grants now), or the system itself; the permission check `can`; and
 * `principalOf`, which reads a user's current rights (capped by a token's scope) from the store.
 */
import { ALL_ENVIRONMENTS, holdsAll, inScope, type EnvironmentScope } from '../domain/environments.ts';
import type { Permission } from '../domain/permissions.ts';
import type { IdentityStore, TokenRow } from '../ports/identity-store.ts';

/** Who is asking: a logged-in user (session), a machine client (API token). */
export interface Principal {
  readonly kind: 'session' | 'token';
  readonly userId: string;
  readonly loginName: string;
  /** The group's permissions (for a token: those of its scope the owner still holds). */
  readonly permissions: readonly Permission[];
  readonly environments: readonly string[];
  /** Until changed, only a password change (and logout) may be allowed. */
  readonly mustChangePassword: boolean;
  readonly tokenId?: string;
}

/** Who makes a change: a principal, or the system itself (bootstrap, local CLI) with no limits. */
export type Actor = Principal | { readonly kind: 'system'; readonly loginName: string };
export const SYSTEM: Actor = { kind: 'system', loginName: 'system' };

/** The environments an actor acts in: the system acts in all of them. */
export const scopeOf = (actor: Actor): EnvironmentScope =>
  actor.kind === 'system' ? [ALL_ENVIRONMENTS] : actor.environments;

export const can = (p: Principal, permission: Permission): boolean => p.permissions.includes(permission);

/**
 * The user's current rights, or undefined when the user may not act (gone, locked, erased).
 * With `scope` (a token), capped by what the token was created with. Reads only.
 */
export async function principalOf(
  store: IdentityStore,
  userId: string,
  kind: Principal['kind'],
  scope?: TokenRow,
): Promise<Principal | undefined> {
  const user = await store.getUser(userId);
  if (!user || user.locked || user.erased) return undefined;
  const group = await store.getGroup(user.userGroup);
  let permissions: readonly Permission[] = group?.permissions ?? [];
  let environments = user.environments;
  if (scope) {
    // A token never holds more than its owner holds now, whatever it was created with.
    permissions = permissions.filter((p) => scope.permissions.includes(p));
    environments = holdsAll(scope.environments)
      ? environments
      : scope.environments.filter((e) => inScope(user.environments, e));
  }
  return {
    kind,
    userId: user.id,
    loginName: user.loginName,
    permissions,
    environments,
    mustChangePassword: user.mustChangePassword,
    ...(scope ? { tokenId: scope.id } : {}),
  };
}
