/**
 * The console's pages: their paths, the permission each needs, and whether it is an
 * administration page. Pure data, shared by the browser's router and by the server
 * (src/http/web-routes.ts answers exactly these paths with the console's index.html).
 * A page is only a view: the API behind it checks every permission again.
 */
import type { Permission } from '../domain/permissions.ts';

export interface ConsolePage {
  readonly path: string;
  /** The permission the page needs; undefined: any logged-in user. */
  readonly permission?: Permission;
  /** Listed under "Administration" in the navigation. */
  readonly admin: boolean;
}

export const CONSOLE_PAGES = [
  { path: '/login', admin: false },
  { path: '/password', admin: false },
  { path: '/board', permission: 'operation.alarms.view', admin: false },
  { path: '/protocol', permission: 'operation.protocol', admin: false },
  { path: '/admin/users', permission: 'user-administration', admin: true },
] as const satisfies readonly ConsolePage[];

export type PagePath = (typeof CONSOLE_PAGES)[number]['path'];

/** The paths the server answers with index.html: `/` (it leads to the user's start page) and every page. */
export const CONSOLE_PATHS: ReadonlySet<string> = new Set(['/', ...CONSOLE_PAGES.map((p) => p.path)]);

/** The page at `path`, if any. Total. */
export const pageAt = (path: string): ConsolePage | undefined =>
  (CONSOLE_PAGES as readonly ConsolePage[]).find((p) => p.path === path);

/** Whether a user holding `permissions` may see the page. */
export const mayOpen = (page: ConsolePage, permissions: readonly string[]): boolean =>
  page.permission === undefined || permissions.includes(page.permission);

/**
 * Where a logged-in user lands: their start page when it is a page they may open, else the
 * first page they may open (the board for most), else the password page (which everyone may open).
 */
export function landingPage(startPage: string | undefined, permissions: readonly string[]): string {
  const path = startPage?.split(/[?#]/, 1)[0];
  const own = path === undefined ? undefined : pageAt(path);
  if (own && own.path !== '/login' && own.path !== '/password' && mayOpen(own, permissions)) return own.path;
  const first = (CONSOLE_PAGES as readonly ConsolePage[]).find(
    (p) => p.permission !== undefined && mayOpen(p, permissions),
  );
  return first?.path ?? '/password';
}
