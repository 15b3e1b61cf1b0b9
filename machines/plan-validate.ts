/**
 * The plan validator: checks a plan's statechart JSON before anything else sees it and lists
 * every problem with its JSON pointer (RFC 6901) and a reason, in document order. XState is
 * lenient with bad JSON (an unknown action does nothing, an unknown delay fires at once, an
 * `always` loop hangs; reference/stack.md §1), so this is not.
 *
 * Checks, in this order:
 * 1. the input is a JSON object of at most PLAN_LIMITS.maxBytes, nested at most maxJsonDepth,
 *    with no `__proto__` / `constructor` / `prototype` key anywhere;
 * 2. the shape of the safe subset (plan-schema.ts): unknown keys at their exact pointer, `id`,
 *    `initial`, `type`, state names, transitions, action/guard/delay names, delay bounds,
 *    params against registry-params.ts, references against the sets `opts` gives (`notify` and
 *    `nobodyPresent` groups, `notify` profiles, devices and contacts, `forward` alarm types),
 *    `{alarm.<field>}` placeholders of text templates, depth and count of states, `context`
 *    keys the runtime sets;
 * 3. targets: a sibling name (`name`, `name.child`), a child of the source (`.child`), or an
 *    absolute `#<plan id>.<path>` (nested states cannot have ids of their own);
 * 4. the graph: unreachable states, dead ends (non-final atomic states with no transition out,
 *    counting the transitions of ancestors), `always` loops (unguarded: an error; guarded: a
 *    warning); no transition out of a final state (a plan that has ended takes no event at all:
 *    planStep returns a done snapshot unchanged, so the root's `on` cannot revive it);
 * 5. only when all of the above pass: `createPlanMachine` + `planStart` with a dummy input,
 *    reporting XState's own complaint at pointer ''.
 *
 * This file runs the checks in that order; they live beside it: check 1 and document order in
 * plan-validate-json.ts, check 2 in plan-validate-shape.ts (actions and guards in
 * plan-validate-refs.ts), checks 3 and 4 in plan-validate-graph.ts.
 */
import { createPlanMachine, type PlanDefinition } from './plan-machine.ts';
import { planStart } from './plan-step.ts';
import type { PlanInput } from './plan-context.ts';
import type { Problem } from './registry-params.ts';
import { PLAN_LIMITS } from './plan-schema.ts';
import { describe, isObj, own, scanJson, sortByDocument } from './plan-validate-json.ts';
import { checkShape, type StateInfo } from './plan-validate-shape.ts';
import { checkGraph, resolveTargets } from './plan-validate-graph.ts';

export type { Problem } from './registry-params.ts';

export type ValidationResult =
  { ok: true; plan: PlanDefinition; warnings: Problem[] } | { ok: false; problems: Problem[]; warnings: Problem[] };

/** Known names; each set, when given, is checked; when absent, references to it are not. */
export interface ValidateOptions {
  /** Known notification groups: `notify` and `nobodyPresent` must name one of them. */
  readonly groups?: readonly string[];
  /** Known notification profiles: `notify`'s `profile`. */
  readonly profiles?: readonly string[];
  /** Known contacts: `notify`'s `contact`. */
  readonly contacts?: readonly string[];
  /** Known devices: `notify`'s `device`. */
  readonly devices?: readonly string[];
  /** Known alarm types: `forward`'s `alarmType`. */
  readonly alarmTypes?: readonly string[];
}

/** Validates a plan definition; never throws. */
export function validatePlan(def: unknown, opts: ValidateOptions = {}): ValidationResult {
  try {
    return validate(def, opts);
  } catch (err) {
    return {
      ok: false,
      problems: [{ pointer: '', reason: `validator failed: ${(err as Error).message}` }],
      warnings: [],
    };
  }
}

function validate(def: unknown, opts: ValidateOptions): ValidationResult {
  if (!isObj(def)) return fail([{ pointer: '', reason: `a plan must be a JSON object, not ${describe(def)}` }]);

  let text: string;
  try {
    text = JSON.stringify(def);
  } catch (err) {
    return fail([{ pointer: '', reason: `not JSON-serialisable: ${(err as Error).message}` }]);
  }
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > PLAN_LIMITS.maxBytes) {
    return fail([{ pointer: '', reason: `too large: ${bytes} bytes serialised, at most ${PLAN_LIMITS.maxBytes}` }]);
  }

  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const order = scanJson(def, problems);

  // 2. Shape.
  const known = (set: keyof ValidateOptions) => (opts[set] === undefined ? undefined : new Set(opts[set]));
  const sets = {
    groups: known('groups'),
    profiles: known('profiles'),
    contacts: known('contacts'),
    devices: known('devices'),
    alarmTypes: known('alarmTypes'),
  };
  const usedGroups = new Set<string>();
  const states: StateInfo[] = [];
  const rootInfo = checkShape({ problems, sets, usedGroups, states }, def);

  // 3. Targets.
  const id = own(def, 'id');
  const planId = typeof id === 'string' ? id : undefined;
  const all = [rootInfo, ...states];
  resolveTargets(rootInfo, all, planId, problems);

  // 4. Graph.
  checkGraph(rootInfo, states, all, problems, warnings);

  // 5. XState itself.
  if (problems.length === 0) {
    try {
      const machine = createPlanMachine(def as PlanDefinition);
      planStart(machine, dummyInput([...new Set([...(opts.groups ?? []), ...usedGroups])]));
    } catch (err) {
      problems.push({ pointer: '', reason: `XState rejects the plan: ${(err as Error)?.message ?? String(err)}` });
    }
  }

  const sorted = (list: Problem[]) => sortByDocument(list, order);
  if (problems.length > 0) return { ok: false, problems: sorted(problems), warnings: sorted(warnings) };
  return { ok: true, plan: def as PlanDefinition, warnings: sorted(warnings) };
}

function fail(problems: Problem[]): ValidationResult {
  return { ok: false, problems, warnings: [] };
}

/** The input the validator starts a plan with: every group has one member. */
function dummyInput(groups: readonly string[]): PlanInput {
  return {
    alarm: {
      id: 'validate',
      type: 'validate',
      priority: 1,
      text: 'plan validation',
      location: undefined,
      source: { adapter: 'validate' },
      environment: 'default',
      raisedAt: 0,
    },
    groups: Object.fromEntries(groups.map((g) => [g, ['validator']])),
    params: { levelTimeoutMs: 60_000, rounds: 2 },
  };
}
