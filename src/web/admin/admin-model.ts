/**
 * The pure parts of the administration pages: a problem's `errors` as messages per form field,
 * client-side pages of a list, a text filter, and the permission tree's selection logic. No DOM,
 * no fetch: test/unit/web-admin-model.test.ts covers them.
 */

/**
 * A refused API call as api.ts's ApiError carries it; structural, so this file needs no DOM
 * (the unit tests load it in Node without api.ts).
 */
export interface ProblemAnswer {
  readonly status: number;
  readonly detail: string;
  readonly errors: readonly { readonly pointer?: string; readonly parameter?: string; readonly reason: string }[];
}

const isProblem = (err: unknown): err is ProblemAnswer =>
  err instanceof Error &&
  typeof (err as Partial<ProblemAnswer>).status === 'number' &&
  typeof (err as Partial<ProblemAnswer>).detail === 'string' &&
  Array.isArray((err as Partial<ProblemAnswer>).errors);

/** What a refused save says: the message per field (the top-level member a pointer names) and the rest. */
export interface FormErrors {
  readonly fields: Readonly<Record<string, string>>;
  /** The problem's detail, when no field took it (or there was no `errors`). */
  readonly general: string | undefined;
}

export const NO_ERRORS: FormErrors = { fields: {}, general: undefined };

/** `/environments/0` → `environments`; `/repeat/count` → `repeat`; `` → undefined. */
export function fieldOfPointer(pointer: string | undefined): string | undefined {
  if (!pointer?.startsWith('/')) return undefined;
  const first = pointer.slice(1).split('/', 1)[0]!;
  const name = first.replace(/~1/g, '/').replace(/~0/g, '~');
  return name === '' ? undefined : name;
}

/**
 * The field messages of `err`: each `errors` entry at its field (several joined with `; `),
 * the detail as `general` when some entry names no field or none is given. Total.
 */
export function formErrors(err: unknown): FormErrors {
  if (!isProblem(err)) return { fields: {}, general: err instanceof Error ? err.message : String(err) };
  const fields: Record<string, string> = {};
  let unplaced = err.errors.length === 0;
  for (const e of err.errors) {
    const f = fieldOfPointer(e.pointer) ?? e.parameter;
    if (f === undefined) {
      unplaced = true;
      continue;
    }
    fields[f] = fields[f] === undefined ? e.reason : `${fields[f]}; ${e.reason}`;
  }
  return { fields, general: unplaced ? err.detail : undefined };
}

/** Rows shown per page in the administration lists. */
export const ADMIN_PAGE_SIZE = 25;

export interface PageOf<T> {
  readonly items: readonly T[];
  /** 0-based page shown (clamped into range). */
  readonly page: number;
  /** At least 1. */
  readonly pages: number;
}

/** Page `page` (0-based, clamped) of `items` in pages of `size`. Total. */
export function pageOf<T>(items: readonly T[], page: number, size = ADMIN_PAGE_SIZE): PageOf<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.trunc(page) || 0), pages - 1);
  return { items: items.slice(p * size, (p + 1) * size), page: p, pages };
}

/** Whether any of `values` contains `query` (case-insensitive; an empty query matches all). */
export function matchesQuery(query: string, values: readonly (string | null | undefined)[]): boolean {
  const q = query.trim().toLowerCase();
  return q === '' || values.some((v) => v?.toLowerCase().includes(q));
}

/** A node of GET /api/v1/permissions' `tree`: a leaf is a permission, a branch a heading. */
export type PermissionNode =
  | { readonly id: string; readonly label: string; readonly origin: 'guidelines' | 'tocsin' }
  | { readonly label: string; readonly children: readonly PermissionNode[] };

/** The permission ids under `node` (itself, when it is a leaf), in tree order. */
export function leavesOf(node: PermissionNode): string[] {
  return 'children' in node ? node.children.flatMap(leavesOf) : [node.id];
}

export type TickState = 'all' | 'some' | 'none';

/** Whether all, some or none of `ids` are in `selected` (none for no ids). */
export function tickState(ids: readonly string[], selected: ReadonlySet<string>): TickState {
  const n = ids.filter((id) => selected.has(id)).length;
  return n === 0 ? 'none' : n === ids.length ? 'all' : 'some';
}

/**
 * `selected` with every id of `ids` that `grantable` allows added (`on`) or removed. Ids the
 * caller cannot grant are left as they were: the server refuses to grant them anyway.
 */
export function setAll(
  selected: ReadonlySet<string>,
  ids: readonly string[],
  on: boolean,
  grantable: (id: string) => boolean = () => true,
): Set<string> {
  const out = new Set(selected);
  for (const id of ids) {
    if (!grantable(id)) continue;
    if (on) out.add(id);
    else out.delete(id);
  }
  return out;
}

/** `selected` in the order of `all` (the tree's), so a saved group lists permissions as the tree does. */
export const inTreeOrder = (all: readonly string[], selected: ReadonlySet<string>): string[] =>
  all.filter((id) => selected.has(id));

/** `a, b ,,c` → `['a', 'b', 'c']`: a comma-separated list, trimmed, without empties or repeats. */
export const parseList = (s: string): string[] => [
  ...new Set(
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  ),
];

/** The API message of `err` for a status line. */
export const messageOf = (err: unknown): string =>
  isProblem(err) ? err.detail : err instanceof Error ? err.message : String(err);

/** The password policy the server applies, checked first here so the admin learns it at once. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 255;

/** The policy's verdict on `password` (undefined: fine as far as the console can tell). */
export function passwordProblem(
  password: string,
  repeat: string,
  loginName: string,
): 'short' | 'long' | 'admin' | 'login' | 'repeat' | undefined {
  const n = [...password].length;
  const lower = password.normalize('NFC').toLowerCase();
  // In the server's order (identity.ts checkPassword): `admin` has its own reason.
  if (n > PASSWORD_MAX) return 'long';
  if (lower === 'admin') return 'admin';
  if (n < PASSWORD_MIN) return 'short';
  if (lower === loginName.normalize('NFC').toLowerCase()) return 'login';
  if (password !== repeat) return 'repeat';
  return undefined;
}

/** A user as GET /api/v1/users lists it. */
export interface UserRow {
  readonly id: string;
  readonly loginName: string;
  readonly displayName: string;
  readonly phone: string | null;
  readonly mobile: string | null;
  readonly email: string | null;
  readonly language: string;
  readonly startPage: string;
  readonly userGroup: string;
  readonly environments: readonly string[];
  readonly mustChangePassword: boolean;
  readonly locked: boolean;
  readonly builtIn: boolean;
  readonly erased: boolean;
  /** 1 at creation, +1 per change: what If-Match sends back. */
  readonly version: number;
}

export interface GroupRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly string[];
  /** 1 at creation, +1 per change: what If-Match sends back. */
  readonly version: number;
}

/** True for the server's answer to a stale If-Match: someone else changed the record meanwhile. */
export const isStale = (err: unknown): boolean => isProblem(err) && err.status === 412;
