/** The plans that ship with Tocsin, each pinned to an immutable version. */
import escalate from './plans/escalate.json' with { type: 'json' };
import type { PlanDefinition } from './plan-machine.ts';

export const builtinPlans: readonly { ref: { id: string; version: number }; definition: PlanDefinition }[] = [
  { ref: { id: 'escalate', version: 1 }, definition: escalate as PlanDefinition },
];
