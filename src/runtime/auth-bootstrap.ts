/**
 * First start: the standard user groups and the built-in `admin` (password `admin`, to be
 * changed at first login), and the Administrator group brought up to every permission this
 * release knows. The function behind AuthService.bootstrap.
 */
import { ALL_ENVIRONMENTS } from '../domain/environments.ts';
import { ADMINISTRATOR_GROUP, PERMISSION_IDS, STANDARD_GROUPS } from '../domain/permissions.ts';
import { hashSecret } from './passwords.ts';
import type { AuthContext } from './auth-context.ts';
import { SYSTEM } from './auth-principal.ts';

const BUILT_IN_ADMIN = 'admin';

/**
 * Creates what is missing (groups when there are none, the admin when there is no built-in
 * user) and audits it; idempotent. `adminEnvironments`: the new admin's, default all.
 */
export async function bootstrap(
  c: AuthContext,
  adminEnvironments: readonly string[] | undefined,
): Promise<{ groups: string[]; admin: boolean }> {
  const at = c.now();
  const r = await c.store.bootstrap({
    groups: STANDARD_GROUPS.map((g) => ({ ...g, permissions: [...g.permissions] })),
    adminGroup: ADMINISTRATOR_GROUP,
    adminPermissions: PERMISSION_IDS,
    admin: {
      id: BUILT_IN_ADMIN,
      loginName: BUILT_IN_ADMIN,
      loginKey: BUILT_IN_ADMIN,
      displayName: 'Administrator',
      phone: null,
      mobile: null,
      email: null,
      language: 'EN',
      startPage: '/',
      userGroup: ADMINISTRATOR_GROUP,
      environments: adminEnvironments ?? [ALL_ENVIRONMENTS],
      passwordHash: await hashSecret('admin', c.scrypt),
      pinHash: null,
      mustChangePassword: true,
      builtIn: true,
    },
    at,
  });
  if (r.admin || r.groups.length > 0)
    await c.audit({ action: 'bootstrap', outcome: 'success', actor: SYSTEM.loginName, details: r });
  return r;
}
