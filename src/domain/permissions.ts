/**
 * Permissions: the tree of the security guidelines' User Group form
 * (`guidelines/000_9144f93fe5c0af57.txt`, "User Group Form") as stable string ids, plus the few
 * Tocsin needs for its API that the tree lacks (`origin: 'tocsin'`). A user group is a set of
 * these ids; a route declares the one it needs. Ids are stored in the database and in API
 * tokens: never rename one, only add.
 */

export interface PermissionInfo {
  /** Human-readable label (English; the UI translates). */
  readonly label: string;
  /** Where it sits in the guidelines' tree (for a UI that shows the tree). */
  readonly section: 'General' | 'Operation' | 'Administration' | 'System';
  /** `guidelines`: a node of the guidelines' tree; `tocsin`: an addition Tocsin's API needs. */
  readonly origin: 'guidelines' | 'tocsin';
}

const g = (section: PermissionInfo['section'], label: string): PermissionInfo => ({
  label,
  section,
  origin: 'guidelines',
});
const t = (section: PermissionInfo['section'], label: string): PermissionInfo => ({ label, section, origin: 'tocsin' });

/** Every permission, in the order of the guidelines' tree (Tocsin additions next to their kin). */
export const PERMISSIONS = {
  // "User Administration": see users and user groups (changing them needs the edit permissions below).
  'user-administration': g('General', 'User administration'),
  // "Receive Notifications": the user may be a recipient of alarm notifications.
  'receive-notifications': g('General', 'Receive notifications'),
  // Roles Operation
  'operation.alarms.view': t('Operation', 'Alarms › View alarms'),
  'operation.alarms.trigger': g('Operation', 'Alarms › Trigger alarm'),
  'operation.alarms.respond': t('Operation', 'Alarms › Respond to alarms (accept, reject, signals)'),
  'operation.alarms.cancel-all': g('Operation', 'Alarms › Cancel all alarms/presences'),
  'operation.alarms.forward': g('Operation', 'Alarms › Forward alarm (operator)'),
  'operation.presence': t('Operation', 'Presence › Log in to and out of groups'),
  'operation.cameras': g('Operation', 'Cameras'),
  'operation.phones.trigger': g('Operation', 'Phones › Trigger alarm'),
  'operation.phones.locating-alert': g('Operation', 'Phones › Locating alert'),
  'operation.contacts': g('Operation', 'Contacts'),
  'operation.protocol': g('Operation', 'Protocol'),
  // Roles Administration
  'administration.users.edit': g('Administration', 'User › Edit user'),
  'administration.user-groups.edit': g('Administration', 'User groups › Edit groups'),
  'administration.plans.disable': g('Administration', 'Plans › Disable plan'),
  'administration.plans.edit': t('Administration', 'Plans › Publish, validate, analyse, simulate'),
  'administration.configuration.edit': t(
    'Administration',
    'Configuration › Alarm types, profiles, groups, contacts, environments, web templates',
  ),
  'administration.supervision-alarms': g('Administration', 'Supervision alarms'),
  'administration.dect-frequency': g('Administration', 'DECT frequency'),
  // Roles System
  'system.interfaces': g('System', 'Interfaces'),
  'system.restart': g('System', 'Restart'),
  'system.phones': g('System', 'Phones'),
  'system.protocol': g('System', 'Protocol'),
  'system.monitor': g('System', 'Monitor'),
  'system.access-log': t('System', 'Access log › Read and export'),
} as const satisfies Record<string, PermissionInfo>;

export type Permission = keyof typeof PERMISSIONS;

/** All permission ids, in tree order. */
export const PERMISSION_IDS = Object.keys(PERMISSIONS) as readonly Permission[];

export const isPermission = (s: string): s is Permission => Object.hasOwn(PERMISSIONS, s);

export interface StandardGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
}

/** The group of the built-in `admin`: always holds every permission (bootstrap re-grants new ones). */
export const ADMINISTRATOR_GROUP = 'administrator';

const operation = PERMISSION_IDS.filter((p) => p.startsWith('operation.'));

/**
 * The user groups a fresh installation ships. Admins may change or delete them (except
 * Administrator) and create their own; the guidelines recommend company-specific profiles.
 */
export const STANDARD_GROUPS: readonly StandardGroup[] = [
  {
    // Everything, including user and group administration and the access log.
    id: ADMINISTRATOR_GROUP,
    name: 'Administrator',
    description: 'Every permission. The built-in admin belongs here; the group cannot be deleted or reduced.',
    permissions: PERMISSION_IDS,
  },
  {
    // The alarm desk: sees, raises, answers, forwards and cancels alarms, logs in to groups,
    // uses cameras, phone alarms and contacts, reads the protocol, receives notifications.
    // No administration, no system functions.
    id: 'operator',
    name: 'Operator',
    description: 'Handles alarms at the alarm desk: operation functions and notifications, no administration.',
    permissions: ['receive-notifications', ...operation],
  },
  {
    // Maintenance: interfaces, phones, restart, system protocol and monitor, supervision
    // alarms, DECT frequency, plans (edit and disable) and configuration; sees alarms and the
    // operation protocol to diagnose. No users, groups or access log (that is the admin's).
    id: 'technician',
    name: 'Technician',
    description: 'Maintains the system: interfaces, phones, plans and configuration; no user administration.',
    permissions: [
      'operation.alarms.view',
      'operation.protocol',
      'administration.plans.disable',
      'administration.plans.edit',
      'administration.configuration.edit',
      'administration.supervision-alarms',
      'administration.dect-frequency',
      'system.interfaces',
      'system.restart',
      'system.phones',
      'system.protocol',
      'system.monitor',
    ],
  },
  {
    // Read-only: alarms, the operation protocol and the system monitor. Changes nothing and
    // receives no notifications (a wall display, a supervisor's overview).
    id: 'viewer',
    name: 'Viewer',
    description: 'Read-only: sees alarms, the protocol and the monitor; changes nothing.',
    permissions: ['operation.alarms.view', 'operation.protocol', 'system.monitor'],
  },
];
