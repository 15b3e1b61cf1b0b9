/**
 * Builds an XState machine from a plan's statechart JSON, over the registry. Checks the
 * names a plan uses before XState sees it (XState silently ignores an unknown action and
 * fires an unknown delay at once). The full validator and analyser build on this.
 */
import { setup, type AnyStateMachine } from 'xstate';
import { actions, delays, guards, registeredNames } from './registry.ts';
import type { PlanContext, PlanInput } from './plan-context.ts';

export interface PlanDefinition {
  readonly id: string;
  readonly initial: string;
  readonly states: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
  readonly description?: string;
  readonly [key: string]: unknown;
}

export class PlanError extends Error {
  constructor(
    message: string,
    readonly problems: readonly { pointer: string; reason: string }[],
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

/** Upper bound on `always` microsteps per event: a loop becomes an error, not a hang. */
export const MAX_ITERATIONS = 1000;

/** Names used by a plan that the registry does not know, as JSON pointers with reasons. */
export function checkNames(def: unknown): { pointer: string; reason: string }[] {
  const problems: { pointer: string; reason: string }[] = [];
  const refs = (v: unknown, pointer: string, kind: 'actions' | 'guards') => {
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    list.forEach((item, i) => {
      const p = Array.isArray(v) ? `${pointer}/${i}` : pointer;
      const name = typeof item === 'string' ? item : (item as { type?: unknown } | null)?.type;
      if (typeof name !== 'string')
        problems.push({ pointer: p, reason: `${kind.slice(0, -1)} must be a name or {type, params}` });
      else if (!registeredNames[kind].has(name))
        problems.push({ pointer: p, reason: `unknown ${kind.slice(0, -1)} '${name}'` });
    });
  };
  const transitions = (v: unknown, pointer: string) => {
    const list = Array.isArray(v) ? v : [v];
    list.forEach((t, i) => {
      const p = Array.isArray(v) ? `${pointer}/${i}` : pointer;
      if (t && typeof t === 'object') {
        const tr = t as { guard?: unknown; actions?: unknown };
        if (tr.guard !== undefined) refs(tr.guard, `${p}/guard`, 'guards');
        refs(tr.actions, `${p}/actions`, 'actions');
      }
    });
  };
  const walk = (node: unknown, pointer: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    refs(n.entry, `${pointer}/entry`, 'actions');
    refs(n.exit, `${pointer}/exit`, 'actions');
    for (const [ev, t] of Object.entries((n.on as object) ?? {})) transitions(t, `${pointer}/on/${ev}`);
    if (n.always !== undefined) transitions(n.always, `${pointer}/always`);
    for (const [d, t] of Object.entries((n.after as object) ?? {})) {
      const ms = Number(d);
      if (!registeredNames.delays.has(d) && !(Number.isInteger(ms) && ms > 0 && ms <= 7 * 24 * 3600_000)) {
        problems.push({ pointer: `${pointer}/after/${d}`, reason: `unknown delay '${d}'` });
      }
      transitions(t, `${pointer}/after/${d}`);
    }
    for (const [k, child] of Object.entries((n.states as object) ?? {})) walk(child, `${pointer}/states/${k}`);
  };
  walk(def, '');
  return problems;
}

/** Builds the machine; throws PlanError listing every unknown name, or XState's own complaint. */
export function createPlanMachine(def: PlanDefinition): AnyStateMachine {
  const problems = checkNames(def);
  if (problems.length > 0) throw new PlanError(`plan ${def.id} uses unknown names`, problems);
  const base = structuredClone(def.context ?? {});
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
    return setup({ actions, guards, delays } as any).createMachine({
      ...(def as object),
      context: ({ input }: { input: PlanInput }): PlanContext => ({
        ...structuredClone(base),
        ...input,
        round: 0,
        notifications: [],
        current: [],
      }),
      options: { maxIterations: MAX_ITERATIONS },
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
    } as any) as AnyStateMachine;
  } catch (err) {
    throw new PlanError(`plan ${def.id} is not a valid statechart: ${(err as Error).message}`, [
      { pointer: '', reason: (err as Error).message },
    ]);
  }
}
