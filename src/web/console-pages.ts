/**
 * The console's pages: their paths, the permission each needs (or several, any one of which
 * opens it), and whether it is an administration page. Pure data, shared by the browser's
 * router and by the server (src/http/web-routes.ts answers exactly these paths with the
 * console's index.html).
 * A page is only a view: the API behind it checks every permission again.
 */
import type { Permission } from '../domain/permissions.ts';

export interface ConsolePage {
  readonly path: string;
  /**
   * The permission the page needs, or a list of which any one opens it (as the API's
   * `needsAny`, src/http/route-access.ts); undefined: any logged-in user.
   */
  readonly permission?: Permission | readonly [Permission, Permission, ...Permission[]];
  /** Listed under "Administration" in the navigation. */
  readonly admin: boolean;
  /** A page of one thing (`/alarms/:id`): reached by a link, never listed in the navigation. */
  readonly param?: boolean;
}

export const CONSOLE_PAGES = [
  { path: '/login', admin: false },
  { path: '/password', admin: false },
  { path: '/board', permission: 'operation.alarms.view', admin: false },
  { path: '/protocol', permission: 'operation.protocol', admin: false },
  { path: '/alarms/:id', permission: 'operation.protocol', admin: false, param: true },
  // The operator's (locating alert) and the technician's (the phones list) page: as GET /api/v1/phones.
  { path: '/phones', permission: ['operation.phones.locating-alert', 'system.phones'], admin: false },
  { path: '/contacts', permission: 'operation.contacts', admin: false },
  { path: '/what-if', permission: 'operation.protocol', admin: false },
  { path: '/admin/users', permission: 'user-administration', admin: true },
  { path: '/admin/user-groups', permission: 'administration.user-groups.edit', admin: true },
  { path: '/admin/configuration', permission: 'administration.configuration.edit', admin: true },
  { path: '/admin/plans', permission: 'administration.plans.edit', admin: true },
  { path: '/admin/plans/:id', permission: 'administration.plans.edit', admin: true, param: true },
  { path: '/admin/supervision', permission: 'administration.supervision-alarms', admin: true },
  { path: '/admin/access-log', permission: 'system.access-log', admin: true },
  { path: '/admin/system', permission: 'system.interfaces', admin: true },
] as const satisfies readonly ConsolePage[];

export type PagePath = (typeof CONSOLE_PAGES)[number]['path'];

/** A `:name` segment of a page path matches one id (as the API's ids: 1–64 of A–Z a–z 0–9 _ -). */
const PARAM = /^[A-Za-z0-9_-]{1,64}$/;

const matches = (pattern: string, path: string): boolean => {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((w, i) => (w.startsWith(':') ? PARAM.test(got[i]!) : w === got[i]));
};

/** The page at `path` (`/alarms/abc` is the page `/alarms/:id`), if any. Total. */
export const pageAt = (path: string): ConsolePage | undefined =>
  (CONSOLE_PAGES as readonly ConsolePage[]).find((p) => matches(p.path, path));

/** The value of the page's `:name` segment in `path` (`/alarms/abc` → `abc`), if it has one. */
export function pathParam(path: string): string | undefined {
  const page = pageAt(path);
  if (!page?.param) return undefined;
  const i = page.path.split('/').findIndex((s) => s.startsWith(':'));
  return path.split('/')[i];
}

/**
 * The paths the server answers with index.html: `/` (it leads to the user's start page) and
 * every page. Iterating lists the fixed paths; `has` also knows the pages of one thing
 * (`/alarms/<id>`), so the server needs no list of ids.
 */
class ConsolePaths extends Set<string> {
  override has(path: string): boolean {
    return super.has(path) || pageAt(path)?.param === true;
  }
}
export const CONSOLE_PATHS: ReadonlySet<string> = new ConsolePaths([
  '/',
  ...(CONSOLE_PAGES as readonly ConsolePage[]).filter((p) => !p.param).map((p) => p.path),
]);

/** The permissions any one of which opens the page (empty: any logged-in user). */
export const pagePermissions = (page: ConsolePage): readonly Permission[] =>
  page.permission === undefined ? [] : typeof page.permission === 'string' ? [page.permission] : page.permission;

/** Whether a user holding `permissions` may see the page: it needs none, or they hold one of its. */
export const mayOpen = (page: ConsolePage, permissions: readonly string[]): boolean => {
  const needed = pagePermissions(page);
  return needed.length === 0 || needed.some((p) => permissions.includes(p));
};

/**
 * Where a logged-in user lands: their start page when it is a page they may open, else the
 * first page they may open (the board for most), else the password page (which everyone may open).
 */
export function landingPage(startPage: string | undefined, permissions: readonly string[]): string {
  const path = startPage?.split(/[?#]/, 1)[0];
  const own = path === undefined ? undefined : pageAt(path);
  if (own && own.path !== '/login' && own.path !== '/password' && mayOpen(own, permissions))
    return own.param ? path! : own.path;
  const first = (CONSOLE_PAGES as readonly ConsolePage[]).find(
    (p) => p.permission !== undefined && !p.param && mayOpen(p, permissions),
  );
  return first?.path ?? '/password';
}
