/**
 * One pure decision: (plan, snapshot, event) → (next snapshot, effects, guard results).
 * The runtime and replay both call exactly this, so replay reproduces the runtime.
 */
import { createActor, initialTransition, transition, type AnyStateMachine } from 'xstate';
import { traceGuards } from './registry.ts';
import { withOperatorForward } from './operator-forward.ts';
import type { PlanInput } from './plan-context.ts';

export interface PlanAction {
  readonly type: string;
  readonly params?: unknown;
}

export interface StepResult {
  /** JSON persisted snapshot ({status, value, context, ...}). */
  readonly snapshot: PersistedPlanSnapshot;
  readonly actions: readonly PlanAction[];
  readonly guards: readonly { guard: string; result: boolean }[];
}

export interface PersistedPlanSnapshot {
  readonly status: 'active' | 'done' | 'error' | 'stopped';
  readonly value: unknown;
  readonly context: Record<string, unknown>;
  readonly [k: string]: unknown;
}

const plain = (a: { type: string; params?: unknown }): PlanAction =>
  a.params === undefined ? { type: a.type } : { type: a.type, params: JSON.parse(JSON.stringify(a.params)) };

function persist(machine: AnyStateMachine, snapshot: unknown): PersistedPlanSnapshot {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  const persisted = createActor(machine, { snapshot: snapshot as any }).getPersistedSnapshot();
  return JSON.parse(JSON.stringify(persisted)) as PersistedPlanSnapshot;
}

/** The first step of an alarm. Throws if the plan errors (e.g. an `always` loop). */
export function planStart(machine: AnyStateMachine, input: PlanInput): StepResult {
  const { value, guards } = traceGuards(() => initialTransition(machine, input));
  const [snap, actions] = value;
  if ((snap as { status: string }).status === 'error') throw (snap as { error: unknown }).error;
  return { snapshot: persist(machine, snap), actions: actions.map(plain), guards };
}

/** One event through the plan. Throws if the plan errors; the caller records nothing then. */
export function planStep(machine: AnyStateMachine, persisted: unknown, event: { type: string }): StepResult {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  const restored = machine.resolveState(persisted as any);
  // An ended plan takes no event: XState's pure transition() would still take the root's `on`
  // and fire its `after` timers on a done snapshot (a "cancel from anywhere" root `on` would
  // revive it). The runtime refuses events for ended alarms as well; this keeps pure users
  // (simulation, analysis, replay) honest.
  if (restored.status === 'done') return { snapshot: persist(machine, restored), actions: [], guards: [] };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  const { value, guards } = traceGuards(() => transition(machine, restored, event as any));
  const [snap, actions] = value;
  if ((snap as { status: string }).status === 'error') throw (snap as { error: unknown }).error;
  // An operator's forward (operator-forward.ts) is part of every plan's step, after the plan's own.
  return withOperatorForward({ snapshot: persist(machine, snap), actions: actions.map(plain), guards }, event);
}

/** The state value as the stable string stored in `alarms.state` and the protocol. */
export function stateKey(snapshot: { value: unknown }): string {
  return typeof snapshot.value === 'string' ? snapshot.value : JSON.stringify(snapshot.value);
}
