/** The plans that ship with Tocsin, each pinned to an immutable version. */
import escalate from './plans/escalate.json' with { type: 'json' };
import allMustAccept from './plans/templates/all-must-accept.json' with { type: 'json' };
import nOfM from './plans/templates/n-of-m.json' with { type: 'json' };
import rejectEscalates from './plans/templates/reject-escalates.json' with { type: 'json' };
import repeatBackoff from './plans/templates/repeat-backoff.json' with { type: 'json' };
import presenceCancels from './plans/templates/presence-cancels.json' with { type: 'json' };
import supervision from './plans/templates/supervision.json' with { type: 'json' };
import type { PlanDefinition } from './plan-machine.ts';

export const builtinPlans: readonly { ref: { id: string; version: number }; definition: PlanDefinition }[] = [
  { ref: { id: 'escalate', version: 1 }, definition: escalate as PlanDefinition },
  // Templates: they notify only the built-in config groups A and B (each description says which plays which role).
  { ref: { id: 'tpl-all-must-accept', version: 1 }, definition: allMustAccept as PlanDefinition },
  { ref: { id: 'tpl-n-of-m', version: 1 }, definition: nOfM as PlanDefinition },
  { ref: { id: 'tpl-reject-escalates', version: 1 }, definition: rejectEscalates as PlanDefinition },
  { ref: { id: 'tpl-repeat-backoff', version: 1 }, definition: repeatBackoff as PlanDefinition },
  { ref: { id: 'tpl-presence-cancels', version: 1 }, definition: presenceCancels as PlanDefinition },
  { ref: { id: 'tpl-supervision', version: 1 }, definition: supervision as PlanDefinition },
];
