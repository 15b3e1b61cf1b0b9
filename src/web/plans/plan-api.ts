/**
 * The plan API as the console's plan pages use it (src/http/plan-routes.ts,
 * plan-version-routes.ts, replay-routes.ts): the answers' shapes, and `planProblems`, which turns
 * a 422 answer into the validator's problems (JSON pointers into the plan). api.ts's ApiError
 * keeps only the `detail`, so this reads the problem's `errors` itself, with the same session
 * cookie and CSRF token.
 */
import { ApiError, SESSION_LOST } from '../api.ts';

export interface PlanVersion {
  readonly version: number;
  readonly publishedAt: string | null;
  readonly publishedBy: string | null;
  readonly disabledAt: string | null;
  readonly environment: string;
}

export interface PlanSummary {
  readonly id: string;
  readonly versions: readonly PlanVersion[];
}

export interface PlanVersionDetail extends PlanVersion {
  readonly id: string;
  readonly definition: Record<string, unknown>;
}

/** One problem: where (a JSON pointer into the plan) and why. */
export interface PlanProblem {
  readonly pointer: string;
  readonly reason: string;
}

export type JsonChange =
  | { readonly op: 'add'; readonly pointer: string; readonly to: unknown }
  | { readonly op: 'remove'; readonly pointer: string; readonly from: unknown }
  | { readonly op: 'replace'; readonly pointer: string; readonly from: unknown; readonly to: unknown };

export interface PlanDiff {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly changes: readonly JsonChange[];
}

/** A call's outcome: the answer, or the problems of a 422 (the plan's, relative to `/plan`). */
export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: PlanProblem[] };

const CSRF_KEY = 'tocsin.csrf';

/**
 * POSTs `body` to `path`. A 422 whose problems point into `/plan` resolves with those problems
 * (pointers made relative to the plan; problems elsewhere keep their pointer). Any other
 * failure rejects with ApiError.
 */
export async function postPlan<T>(path: string, body: unknown): Promise<Checked<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  const text = await res.text();
  const json = (text === '' ? {} : JSON.parse(text)) as {
    detail?: unknown;
    errors?: { pointer?: unknown; parameter?: unknown; reason?: unknown }[];
  };
  if (res.status === 401) dispatchEvent(new Event(SESSION_LOST));
  if (res.status === 422 && Array.isArray(json.errors)) {
    const problems = json.errors.map((e) => ({
      pointer: typeof e.pointer === 'string' ? e.pointer.replace(/^\/plan(?=\/|$)/, '') : '',
      reason: String(e.reason ?? json.detail ?? ''),
    }));
    return { ok: false, problems };
  }
  if (!res.ok) throw new ApiError(res.status, typeof json.detail === 'string' ? json.detail : res.statusText);
  return { ok: true, value: json as T };
}

/** `id@version`, as the what-if API names a plan version. */
export const planRef = (id: string, version: number): string => `${id}@${version}`;

/** The newest version of a plan (versions come oldest first from the API, but do not rely on it). */
export const newest = (p: PlanSummary): PlanVersion | undefined =>
  [...p.versions].sort((a, b) => b.version - a.version)[0];
