/**
 * The plan API as the console's plan pages use it (src/http/plan-routes.ts,
 * plan-version-routes.ts, replay-routes.ts): the answers' shapes, and `postPlan`, which turns
 * a 422 answer (ApiError's `errors`) into the validator's problems (JSON pointers into the plan).
 */
import { api, ApiError } from '../api.ts';

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

/**
 * POSTs `body` to `path` (api.post). A 422 whose problem has `errors` resolves with them
 * (pointers into `/plan` made relative to the plan, other pointers kept, none for a parameter).
 * Any other failure rejects (ApiError for an answer other than 2xx).
 */
export async function postPlan<T>(path: string, body: unknown): Promise<Checked<T>> {
  try {
    return { ok: true, value: await api.post<T>(path, body) };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 422 || err.errors.length === 0) throw err;
    const problems = err.errors.map((e) => ({
      pointer: typeof e.pointer === 'string' ? e.pointer.replace(/^\/plan(?=\/|$)/, '') : '',
      reason: String(e.reason ?? err.detail),
    }));
    return { ok: false, problems };
  }
}

/** `id@version`, as the what-if API names a plan version. */
export const planRef = (id: string, version: number): string => `${id}@${version}`;

/** The newest version of a plan (versions come oldest first from the API, but do not rely on it). */
export const newest = (p: PlanSummary): PlanVersion | undefined =>
  [...p.versions].sort((a, b) => b.version - a.version)[0];
