/**
 * Exact replay: fold an alarm's recorded inputs through the same pure decision the runtime
 * used, under its pinned plan, and compare every recomputed state, effect and hash with the
 * protocol. A mismatch names the first diverging entry.
 */
import type { AnyStateMachine } from 'xstate';
import type { ProtocolEntry } from '../ports/alarm-store.ts';
import type { PlanInput, PlanNotification } from '../../machines/plan-context.ts';
import { planStart, planStep, type PersistedPlanSnapshot } from '../../machines/plan-step.ts';
import { canonicalJson, verifyChain } from './protocol-hash.ts';
import { resolveDeep } from './pseudonyms.ts';
import { buildStep } from './step-builder.ts';

/** What one protocol step says (recorded) or what the replay computed for it (actual). */
export interface StepView {
  readonly state: string;
  readonly effects: readonly unknown[];
  readonly guards: readonly { readonly guard: string; readonly result: boolean }[];
}

/**
 * A divergence names the first entry that differs. `expected` is what the recording says, `actual`
 * what the replay computed (both absent when the chain itself is broken, `actual` absent when the
 * plan failed on the recorded event).
 */
export type ReplayResult =
  | { readonly ok: true; readonly steps: number; readonly snapshot: PersistedPlanSnapshot }
  | {
      readonly ok: false;
      readonly seq: number;
      readonly reason: string;
      readonly expected?: StepView;
      readonly actual?: StepView;
    };

const viewOf = (e: { toState: string; effects: readonly unknown[]; guards: StepView['guards'] }): StepView => ({
  state: e.toState,
  effects: e.effects,
  guards: e.guards,
});

/**
 * Replays `entries` (seq 1..n of one alarm) under `machine`. Pure; never throws for bad data.
 *
 * Entries hold pseudonyms for people (pseudonyms.ts): in the raise's frozen group members as
 * in every responder. Without `resolved` the replay runs over the pseudonyms throughout (the
 * plan cannot tell), and its snapshot names pseudonyms. With `resolved` (the store's
 * resolvePseudonyms of the entries' pseudonyms) it runs over the values, as the alarm ran, and
 * maps recomputed recipients back to the recorded pseudonyms: its snapshot is the alarm's own,
 * and plans naming a person directly (`notify {user}`) replay too. An erased person has no
 * value and stays a pseudonym on both sides, as in the alarm's rewritten snapshot.
 */
export function replay(
  machine: AnyStateMachine,
  recorded: readonly ProtocolEntry[],
  channel: string,
  resolved?: ReadonlyMap<string, string>,
): ReplayResult {
  const chain = verifyChain(recorded);
  if (!chain.ok) return chain;
  const entries = resolved
    ? recorded.map((e) => ({ ...e, event: resolveDeep(e.event, resolved), actor: resolveDeep(e.actor, resolved) }))
    : recorded;
  const back = resolved ? new Map([...resolved].map(([p, v]) => [v, p])) : undefined;
  const pseudonymise = back ? (v: string) => back.get(v) ?? v : undefined;
  let snapshot: PersistedPlanSnapshot | undefined;
  for (const e of entries) {
    try {
      let result;
      if (e.seq === 1) {
        const raised = e.event as { input?: PlanInput };
        if (e.kind !== 'raised' || !raised.input)
          return { ok: false, seq: 1, reason: 'first entry is not a raise', expected: viewOf(recorded[0]!) };
        result = planStart(machine, raised.input);
      } else {
        result = planStep(machine, snapshot, e.event as { type: string });
      }
      const facts = (entries[0]!.event as { input: PlanInput }).input.alarm;
      const rebuilt = buildStep(
        {
          alarmId: e.alarmId,
          facts,
          seq: e.seq,
          prevHash: e.prevHash,
          prevState: e.fromState,
          prevNotifications: (snapshot?.context.notifications ?? []) as PlanNotification[],
          now: e.at,
          kind: e.kind,
          event: e.event,
          actor: e.actor,
          channel,
          ...(e.lateMs !== null ? { consumeTimer: { id: '', firedAt: e.at, lateMs: e.lateMs } } : {}),
          trigger: '',
          ...(pseudonymise ? { pseudonymise } : {}),
        },
        result,
      );
      // Compared and reported as stored: pseudonyms on both sides (the recipients mapped back).
      const diverged = (reason: string) => ({
        ok: false as const,
        seq: e.seq,
        reason,
        expected: viewOf(e),
        actual: viewOf(rebuilt.entry),
      });
      if (rebuilt.entry.toState !== e.toState)
        return diverged(`state ${rebuilt.entry.toState} ≠ recorded ${e.toState}`);
      if (canonicalJson(rebuilt.entry.effects) !== canonicalJson(e.effects))
        return diverged('effects differ from the recorded ones');
      if (canonicalJson(rebuilt.entry.guards) !== canonicalJson(e.guards))
        return diverged('guard results differ from the recorded ones');
      snapshot = result.snapshot;
    } catch (err) {
      return {
        ok: false,
        seq: e.seq,
        reason: `plan failed: ${(err as Error).message}`,
        expected: viewOf(e),
      };
    }
  }
  if (!snapshot) return { ok: false, seq: 0, reason: 'no entries' };
  return { ok: true, steps: entries.length, snapshot };
}
