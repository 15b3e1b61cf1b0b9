/**
 * What every route needs: `public`, any `authenticated` principal, one permission of the
 * guidelines' tree (src/domain/permissions.ts), or `any` one of a few. Keys are
 * `METHOD /router/path` exactly as the Koa routers declare them. A route missing here is refused to everyone (deny by default), and
 * `test/unit/route-access.test.ts` fails on it: it drives every mounted route under every
 * permission.
 */
import { CONFIG_KINDS, KIND_SEGMENT } from '../domain/config-model.ts';
import type { Permission } from '../domain/permissions.ts';

export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'permission'; readonly permission: Permission }
  /** Any one of `permissions` (e.g. the phones list: the technician's and the operator's). */
  | { readonly kind: 'any'; readonly permissions: readonly [Permission, Permission, ...Permission[]] };

const PUBLIC: Access = { kind: 'public' };
const AUTHENTICATED: Access = { kind: 'authenticated' };
const needs = (permission: Permission): Access => ({ kind: 'permission', permission });
const needsAny = (...permissions: readonly [Permission, Permission, ...Permission[]]): Access => ({
  kind: 'any',
  permissions,
});

/** The permissions that grant `access` (empty: no particular permission needed). */
export const grantingPermissions = (access: Access): readonly Permission[] =>
  access.kind === 'permission' ? [access.permission] : access.kind === 'any' ? access.permissions : [];

const config = needs('administration.configuration.edit');
const usersEdit = needs('administration.users.edit');

export const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  // Liveness, readiness and the API description: for load balancers and editors.
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /api/v1/openapi.json': PUBLIC,
  'GET /metrics': needs('system.monitor'),

  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/logout': AUTHENTICATED,
  'GET /api/v1/auth/me': AUTHENTICATED,
  'PATCH /api/v1/auth/me': AUTHENTICATED,
  'POST /api/v1/auth/password': AUTHENTICATED,

  'POST /api/v1/alarms': needs('operation.alarms.trigger'),
  'GET /api/v1/alarms': needs('operation.alarms.view'),
  'GET /api/v1/alarms/events': needs('operation.alarms.view'),
  'GET /api/v1/alarms/templates': needs('operation.alarms.trigger'),
  'GET /api/v1/alarms/:id': needs('operation.alarms.view'),
  'POST /api/v1/alarms/:id/responses': needs('operation.alarms.respond'),
  'POST /api/v1/alarms/:id/signals': needs('operation.alarms.respond'),
  'POST /api/v1/alarms/:id/cancel': needs('operation.alarms.cancel-all'),
  // The operator's functions (operation-routes.ts): forward, cancel all, contacts.
  'POST /api/v1/alarms/:id/forward': needs('operation.alarms.forward'),
  'GET /api/v1/forward-targets': needs('operation.alarms.forward'),
  'POST /api/v1/alarms/cancel-all': needs('operation.alarms.cancel-all'),
  'GET /api/v1/contacts': needs('operation.contacts'),
  'GET /api/v1/alarms/:id/protocol': needs('operation.protocol'),
  // Replay (replay-routes.ts) recomputes what the protocol shows: the protocol's permission.
  'GET /api/v1/alarms/:id/replay': needs('operation.protocol'),
  'GET /api/v1/alarms/:id/plan': needs('operation.protocol'),
  'POST /api/v1/replay/what-if': needs('operation.protocol'),
  // The operation protocol (protocol-routes.ts): list and export, scoped to the environments held.
  'GET /api/v1/protocol': needs('operation.protocol'),
  'GET /api/v1/protocol/export': needs('operation.protocol'),

  'GET /api/v1/schemas/plan.json': AUTHENTICATED,
  'POST /api/v1/plans/validate': needs('administration.plans.edit'),
  'POST /api/v1/plans/analyse': needs('administration.plans.edit'),
  'POST /api/v1/plans/simulate': needs('administration.plans.edit'),
  'POST /api/v1/plans': needs('administration.plans.edit'),
  'GET /api/v1/plans': needs('administration.plans.edit'),
  'GET /api/v1/plans/:id/versions/:version': needs('administration.plans.edit'),
  'GET /api/v1/plans/:id/diff': needs('administration.plans.edit'),
  'POST /api/v1/plans/:id/versions/:version/disable': needs('administration.plans.disable'),
  'POST /api/v1/plans/:id/versions/:version/enable': needs('administration.plans.disable'),

  ...Object.fromEntries(
    CONFIG_KINDS.flatMap((k) => {
      const base = `/api/v1/config/${KIND_SEGMENT[k]}`;
      return [
        [`GET ${base}`, config],
        [`GET ${base}/:id`, config],
        [`PUT ${base}/:id`, config],
        [`DELETE ${base}/:id`, config],
      ];
    }),
  ),
  'GET /api/v1/config/groups/:id/presence': needs('operation.presence'),
  'PUT /api/v1/config/groups/:id/presence/:member': needs('operation.presence'),
  'DELETE /api/v1/config/groups/:id/presence/:member': needs('operation.presence'),
  'GET /api/v1/config/changes': config,
  'GET /api/v1/config/changes/verify': config,
  'GET /api/v1/config/problems': config,

  // Users, user groups, the permission tree and API tokens (identity-routes.ts). Changing a
  // user or a group also needs AuthService's rule: nobody grants what they do not hold.
  'GET /api/v1/users': needs('user-administration'),
  'POST /api/v1/users': usersEdit,
  'GET /api/v1/users/:id': needs('user-administration'),
  'PATCH /api/v1/users/:id': usersEdit,
  'DELETE /api/v1/users/:id': usersEdit,
  'PUT /api/v1/users/:id/password': usersEdit,
  'POST /api/v1/users/:id/lock': usersEdit,
  'POST /api/v1/users/:id/unlock': usersEdit,
  'POST /api/v1/users/:id/erase': usersEdit,
  // Read by user administrators (to assign a group) and by group editors (their page).
  'GET /api/v1/user-groups': needsAny('user-administration', 'administration.user-groups.edit'),
  'GET /api/v1/user-groups/:id': needsAny('user-administration', 'administration.user-groups.edit'),
  'PUT /api/v1/user-groups/:id': needs('administration.user-groups.edit'),
  'DELETE /api/v1/user-groups/:id': needs('administration.user-groups.edit'),
  'GET /api/v1/permissions': AUTHENTICATED,
  // Own tokens for everyone (the route narrows); every token with administration.users.edit.
  'GET /api/v1/tokens': AUTHENTICATED,
  'POST /api/v1/tokens': AUTHENTICATED,
  'DELETE /api/v1/tokens/:id': AUTHENTICATED,

  // The DECT link's handsets (phone-routes.ts).
  // The phones list: the technician's (system.phones) and the operator's (locating alert).
  'GET /api/v1/phones': needsAny('system.phones', 'operation.phones.locating-alert'),
  'POST /api/v1/phones/:number/locating-alert': needs('operation.phones.locating-alert'),
  // Locating a person is the same trust as the locating alert.
  'GET /api/v1/phones/:number/position': needs('operation.phones.locating-alert'),
  'GET /api/v1/dect/band': needs('administration.dect-frequency'),
  'POST /api/v1/dect/band': needs('administration.dect-frequency'),

  // System (system-routes.ts): interface status, monitor, restart, supervision alarms.
  'GET /api/v1/system/interfaces': needs('system.interfaces'),
  'GET /api/v1/system/monitor': needs('system.monitor'),
  'POST /api/v1/system/restart': needs('system.restart'),
  'GET /api/v1/system/supervision': needs('administration.supervision-alarms'),
  'PUT /api/v1/system/supervision/:environment': needs('administration.supervision-alarms'),

  // The access log (access-log-routes.ts): read, export, verify; scoped to the environments held.
  'GET /api/v1/access-log': needs('system.access-log'),
  'GET /api/v1/access-log/export': needs('system.access-log'),
  'GET /api/v1/access-log/verify': needs('system.access-log'),
};

/** Routes a principal who must change the password may still use. */
export const WHILE_PASSWORD_MUST_CHANGE: ReadonlySet<string> = new Set([
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/password',
]);
