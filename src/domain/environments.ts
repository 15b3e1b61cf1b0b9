/**
 * Environment scoping (DESIGN.md "Security model"): every user, alarm, plan, configuration item
 * and access-log entry belongs to an environment, and a principal sees and changes only what
 * belongs to the environments it holds. `*` — held by the built-in admin, grantable only by
 * someone who holds it — stands for every environment, including ones created later.
 * Objects outside a principal's scope are answered as if they did not exist (404), so their ids
 * and contents do not leak.
 */

/** Every environment, present and future. Never an environment's id (ids start with a letter or digit). */
export const ALL_ENVIRONMENTS = '*';

/** What a principal may see: a list of environments, or all of them. */
export type EnvironmentScope = readonly string[];

export const holdsAll = (scope: EnvironmentScope): boolean => scope.includes(ALL_ENVIRONMENTS);

/**
 * Whether an object of `environment` is in scope. An object of no environment (`null`: a
 * login, a system event) is system-wide and visible only to holders of `*`.
 */
export function inScope(scope: EnvironmentScope, environment: string | null | undefined): boolean {
  if (holdsAll(scope)) return true;
  return environment != null && scope.includes(environment);
}

/** Whether every one of `environments` is in scope (for objects that belong to several, e.g. users). */
export const allInScope = (scope: EnvironmentScope, environments: readonly string[]): boolean =>
  environments.every((e) => inScope(scope, e));

/** Whether any of `environments` is in scope (a user is visible to the admins of any of theirs). */
export const anyInScope = (scope: EnvironmentScope, environments: readonly string[]): boolean =>
  holdsAll(scope) || environments.some((e) => scope.includes(e));

/** The filter a store applies: undefined for all, otherwise the list (possibly empty: nothing). */
export const storeFilter = (scope: EnvironmentScope): readonly string[] | undefined =>
  holdsAll(scope) ? undefined : scope.filter((e) => e !== ALL_ENVIRONMENTS);
