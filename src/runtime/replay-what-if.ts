/**
 * What-if: one recorded alarm re-run under ANOTHER plan version, on a virtual timeline, and
 * compared with what actually happened. Pure: no clock, no store; times are milliseconds after
 * the raise.
 *
 * The rules (documented in the API and `tocsin replay --help`):
 *  - The raise's frozen input (alarm facts, group members, presence, the alarm type's params)
 *    starts the alternative plan at t = 0.
 *  - Recorded inputs — responses, cancels, signals (PRESENCE, LINK_UP …), delivery results —
 *    are fed at their recorded times. Recorded timer entries are NOT: the alternative plan's
 *    own `after` delays arm timers on the virtual timeline (dueAt = when armed + delay; a cancel
 *    on exit disarms them), exactly as the plan simulator does (machines/plan-simulate.ts).
 *    Ties at one instant: timers first, then recorded inputs in protocol order.
 *  - A response from someone the alternative plan has not notified (yet) is still fed — a person
 *    may answer from the board or the handset of a colleague, and the runtime accepts it — and is
 *    listed as a difference `response-from-not-notified`.
 *  - A delivery result belongs to a notification: it is fed for the alternative's own open
 *    notification to that recipient (the newest one); when the alternative has none open to that
 *    recipient at that time, it is dropped and listed as `delivery-skipped`.
 *  - The run stops when the plan ends (`final`), nothing is left (`idle`), the next event is
 *    past `horizonMs` (`horizon`: the present for a recent alarm, at most 7 days) or after
 *    `maxSteps` events (`maxSteps`).
 */
import type { AnyStateMachine } from 'xstate';
import type { ProtocolEntry } from '../ports/alarm-store.ts';
import type { PlanInput, PlanNotification } from '../../machines/plan-context.ts';
import { planStart, planStep, stateKey, type PlanAction, type StepResult } from '../../machines/plan-step.ts';
import {
  DEFAULT_HORIZON_MS,
  DEFAULT_MAX_STEPS,
  effectsOf,
  type ArmedTimer,
  type EndReason,
  type PlanEvent,
} from '../../machines/plan-simulate.ts';

/** One recipient notified, `at` ms after the raise. */
export interface Notified {
  readonly recipient: string;
  readonly at: number;
  readonly group: string;
  readonly round: number;
}

export interface Outcome {
  readonly notifications: readonly Notified[];
  readonly end: { readonly state: string; readonly at: number; readonly status: 'active' | 'ended' };
}

export type Difference =
  | { readonly kind: 'only-recorded'; readonly recipient: string; readonly at: number }
  | { readonly kind: 'only-alternative'; readonly recipient: string; readonly at: number }
  | {
      readonly kind: 'notified-at-another-time';
      readonly recipient: string;
      readonly recordedAt: number;
      readonly alternativeAt: number;
    }
  | { readonly kind: 'end-state'; readonly recorded: string; readonly alternative: string }
  | { readonly kind: 'end-time'; readonly recorded: number; readonly alternative: number }
  | { readonly kind: 'response-from-not-notified'; readonly seq: number; readonly by: string; readonly at: number }
  | { readonly kind: 'delivery-skipped'; readonly seq: number; readonly recipient: string; readonly at: number };

export interface WhatIfResult {
  readonly alarmId: string;
  readonly recorded: Outcome;
  readonly alternative: Outcome & { readonly reason: EndReason };
  readonly differences: readonly Difference[];
}

export interface WhatIfOptions {
  /** Whether the recorded alarm has ended (the store's status; the protocol alone cannot tell). Default `active`. */
  readonly recordedStatus?: 'active' | 'ended';
  readonly horizonMs?: number;
  readonly maxSteps?: number;
}

/** The recipient address inside a notification id (`A.0.alice`, `@dave.0.dave`). */
export function recipientOf(notificationId: string): string | undefined {
  const single = /^@(.+)\.(\d+)\.\1$/s.exec(notificationId);
  if (single) return single[1];
  return /^([^.@][^.]*)\.(\d+)\.(.+)$/s.exec(notificationId)?.[3];
}

/** What actually happened, from the protocol alone. */
export function recordedOutcome(entries: readonly ProtocolEntry[], status: 'active' | 'ended'): Outcome {
  const base = entries[0]!.at;
  const notifications: Notified[] = [];
  for (const e of entries) {
    for (const f of e.effects as { type?: string; recipients?: unknown; group?: unknown; round?: unknown }[]) {
      if (f?.type !== 'notify' || !Array.isArray(f.recipients)) continue;
      for (const r of f.recipients)
        notifications.push({ recipient: String(r), at: e.at - base, group: String(f.group), round: Number(f.round) });
    }
  }
  const last = entries[entries.length - 1]!;
  return { notifications, end: { state: last.toState, at: last.at - base, status } };
}

/** Immediate raises run inside transition(); only delayed ones are timers (as in step-builder.ts). */
const timersAndEffects = (actions: readonly PlanAction[]) =>
  actions.filter((a) => a.type !== 'xstate.raise' || typeof (a.params as { delay?: unknown })?.delay === 'number');

/**
 * Runs `entries` (one alarm, seq 1..n, pseudonyms resolved or not — both sides alike) under
 * `alternative` and compares. Throws when the alternative plan fails on an event (the caller
 * reports it per alarm) or when the first entry is not a raise.
 */
export function whatIf(
  alternative: AnyStateMachine,
  entries: readonly ProtocolEntry[],
  opts: WhatIfOptions = {},
): WhatIfResult {
  const first = entries[0];
  const input = (first?.event as { input?: PlanInput } | undefined)?.input;
  if (!first || first.kind !== 'raised' || !input) throw new Error('the first protocol entry is not a raise');
  const base = first.at;
  const horizonMs = opts.horizonMs ?? DEFAULT_HORIZON_MS;
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const armed = new Map<string, ArmedTimer>();
  let armSeq = 0;
  const nextSeq = () => armSeq++;
  const notifications: Notified[] = [];
  const differences: Difference[] = [];
  const notifiedSoFar = new Set<string>();

  const apply = (t: number, r: StepResult): StepResult => {
    for (const e of effectsOf(timersAndEffects(r.actions), t, armed, nextSeq)) {
      if (e.type !== 'notify') continue;
      for (const recipient of e.recipients) {
        notifications.push({ recipient, at: t, group: e.group, round: e.round });
        notifiedSoFar.add(recipient);
      }
    }
    return r;
  };

  let t = 0;
  let current = apply(0, planStart(alternative, input));
  let lastAt = 0;
  const inputs = entries.filter((e) => e.seq > 1 && e.kind === 'event');
  let next = 0;
  let applied = 0;
  let reason: EndReason;
  for (;;) {
    if (current.snapshot.status === 'done') {
      reason = 'final';
      break;
    }
    let timer: ArmedTimer | undefined;
    for (const a of armed.values())
      if (!timer || a.dueAt < timer.dueAt || (a.dueAt === timer.dueAt && a.seq < timer.seq)) timer = a;
    const rec = inputs[next];
    if (!timer && !rec) {
      reason = 'idle';
      break;
    }
    const recAt = rec ? Math.max(rec.at - base, t) : Infinity;
    const useTimer = timer !== undefined && timer.dueAt <= recAt;
    const at = useTimer ? timer!.dueAt : recAt;
    if (at > horizonMs) {
      reason = 'horizon';
      break;
    }
    if (applied >= maxSteps) {
      reason = 'maxSteps';
      break;
    }
    t = at;
    if (useTimer) {
      armed.delete(timer!.sendId);
      applied++;
      lastAt = t;
      current = apply(t, planStep(alternative, current.snapshot, timer!.event));
      continue;
    }
    next++;
    const event = adapt(rec!, current, notifiedSoFar, t, differences);
    if (!event) continue;
    applied++;
    lastAt = t;
    current = apply(t, planStep(alternative, current.snapshot, event));
  }

  const recorded = recordedOutcome(entries, opts.recordedStatus ?? 'active');
  const alt = {
    notifications,
    end: {
      state: stateKey(current.snapshot),
      at: lastAt,
      status: current.snapshot.status === 'done' ? ('ended' as const) : ('active' as const),
    },
    reason,
  };
  return {
    alarmId: first.alarmId,
    recorded,
    alternative: alt,
    differences: [...compare(recorded, alt), ...differences],
  };
}

/** The recorded event as the alternative receives it, or undefined when it is dropped. */
function adapt(
  e: ProtocolEntry,
  current: StepResult,
  notified: ReadonlySet<string>,
  t: number,
  out: Difference[],
): PlanEvent | undefined {
  const event = e.event as PlanEvent;
  if (event.type === 'RESPONSE' && typeof event.by === 'string' && !notified.has(event.by)) {
    out.push({ kind: 'response-from-not-notified', seq: e.seq, by: event.by, at: t });
  }
  if (event.type !== 'DELIVERY' || typeof event.notificationId !== 'string') return event;
  const recipient = recipientOf(event.notificationId) ?? event.notificationId;
  const open = ((current.snapshot.context.notifications ?? []) as PlanNotification[]).filter(
    (n) => n.user === recipient && n.status === 'pending',
  );
  const same = open.find((n) => n.id === event.notificationId);
  const target = same ?? open[open.length - 1];
  if (!target) {
    out.push({ kind: 'delivery-skipped', seq: e.seq, recipient, at: t });
    return undefined;
  }
  return { ...event, notificationId: target.id };
}

/** Notifications paired per recipient in time order; then the end. */
function compare(recorded: Outcome, alternative: Outcome): Difference[] {
  const out: Difference[] = [];
  const byRecipient = (list: readonly Notified[]) => {
    const m = new Map<string, number[]>();
    for (const n of list) m.set(n.recipient, [...(m.get(n.recipient) ?? []), n.at]);
    return m;
  };
  const rec = byRecipient(recorded.notifications);
  const alt = byRecipient(alternative.notifications);
  for (const recipient of new Set([...rec.keys(), ...alt.keys()])) {
    const a = rec.get(recipient) ?? [];
    const b = alt.get(recipient) ?? [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.push({ kind: 'only-recorded', recipient, at: a[i]! });
      else if (i >= a.length) out.push({ kind: 'only-alternative', recipient, at: b[i]! });
      else if (a[i] !== b[i])
        out.push({ kind: 'notified-at-another-time', recipient, recordedAt: a[i]!, alternativeAt: b[i]! });
    }
  }
  const at = (d: Difference) => ('at' in d ? d.at : 'recordedAt' in d ? Math.min(d.recordedAt, d.alternativeAt) : 0);
  out.sort((x, y) => at(x) - at(y));
  if (recorded.end.state !== alternative.end.state)
    out.push({ kind: 'end-state', recorded: recorded.end.state, alternative: alternative.end.state });
  if (recorded.end.at !== alternative.end.at)
    out.push({ kind: 'end-time', recorded: recorded.end.at, alternative: alternative.end.at });
  return out;
}
