/**
 * Simulation: runs a plan against a scripted scenario on a virtual clock and returns the
 * predicted timeline as JSON. The engine is the runtime's own pure decision (planStart /
 * planStep of plan-step.ts); only the clock and the timer table are simulated here, both as
 * plain numbers, so the result is deterministic and pure (no Date.now, no timers).
 *
 * The loop:
 *  - t = 0: planStart. Every returned `xstate.raise` with a delay arms a timer
 *    (dueAt = t + delay, keyed by its send id; arming an id again replaces it); every
 *    `xstate.cancel` disarms its send id.
 *  - Repeatedly take the earliest of (next scenario step, earliest armed timer). Ties: timers
 *    before scenario steps; timers among themselves by arming order; scenario steps in the
 *    order given (a stable sort by `at`). A step dated before the current time runs at the
 *    current time (the clock never goes back).
 *  - A timer delivers its raised event (e.g. `xstate.after.levelTimeout.escalate.levelA`); a
 *    scenario step delivers `{type:'RESPONSE', response, by, at}`, `{type:'CANCEL', by, at}`,
 *    `{type:'DELIVERY', notificationId, status:'failed', retryable: false, reason, at}` (the runtime's
 *    event, for the user's newest pending notification; an unknown id when there is none) or `{type:'PRESENCE', group, user, present, at}`
 *    (recorded even when the plan ignores it), where `at` is `input.alarm.raisedAt + t` (the
 *    absolute time the runtime would stamp). Initial presence is `input.presence`.
 *  - Stop with reason 'final' when the snapshot status is 'done'; 'idle' when no step and no
 *    timer is left; 'horizon' when the next event is due after `horizonMs` (default 7 days);
 *    'maxSteps' when `maxSteps` events (default 1000, the start not counted) were applied and
 *    more are pending. `end.at` is the time of the last entry.
 *
 * Timeline counts: `notifications` is the number of recipients of all `tocsin.notify`
 * effects; `firstNotificationAt` the time of the first notify with at least one recipient.
 */
import type { AnyStateMachine } from 'xstate';
import type { PlanInput } from './plan-context.ts';
import { planStart, planStep, stateKey, type PlanAction, type StepResult } from './plan-step.ts';

export type ScenarioStep =
  | { readonly at: number; readonly event: 'accept' | 'reject'; readonly by: string }
  | { readonly at: number; readonly event: 'cancel'; readonly by: string }
  | { readonly at: number; readonly event: 'deliveryFailed'; readonly user: string }
  | { readonly at: number; readonly event: 'presence'; readonly presence: PresenceChange };

/** A presence change in a scenario: written `{at, presence: {group, user, present}}` (`event: 'presence'` optional). */
export interface PresenceChange {
  readonly group: string;
  readonly user: string;
  readonly present: boolean;
}

export interface Scenario {
  readonly description?: string;
  readonly steps: readonly ScenarioStep[];
}

export type TimelineEffect =
  | { readonly type: 'notify'; readonly group: string; readonly round: number; readonly recipients: string[] }
  | { readonly type: 'withdraw'; readonly recipients: string[] }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'forward'; readonly alarmType: string; readonly text: string }
  | { readonly type: 'timer.set'; readonly sendId: string; readonly dueAt: number }
  | { readonly type: 'timer.cancel'; readonly sendId: string };

export type TimelineTrigger =
  | { readonly kind: 'start' }
  | { readonly kind: 'timer'; readonly sendId: string; readonly event: string }
  | { readonly kind: 'scenario'; readonly step: number; readonly event: PlanEvent };

export interface TimelineEntry {
  readonly at: number;
  readonly trigger: TimelineTrigger;
  /** State before (null for the start) and after, as `stateKey` strings. */
  readonly from: string | null;
  readonly to: string;
  readonly effects: TimelineEffect[];
}

export type EndReason = 'final' | 'idle' | 'maxSteps' | 'horizon';

export interface Timeline {
  readonly entries: TimelineEntry[];
  readonly end: { readonly at: number; readonly state: string; readonly status: string; readonly reason: EndReason };
  readonly notifications: number;
  readonly firstNotificationAt: number | null;
}

export interface PlanEvent {
  readonly type: string;
  readonly [k: string]: unknown;
}

export const DEFAULT_MAX_STEPS = 1000;
export const DEFAULT_HORIZON_MS = 7 * 24 * 3600_000;

/** Checks a parsed scenario file; throws an Error naming the first bad field. */
export function parseScenario(json: unknown): Scenario {
  const fail = (path: string, reason: string): never => {
    throw new Error(`scenario${path}: ${reason}`);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return fail('', 'must be an object');
  const o = json as Record<string, unknown>;
  if (!Array.isArray(o.steps)) return fail('/steps', 'must be an array');
  const steps = o.steps.map((s: unknown, i): ScenarioStep => {
    const p = `/steps/${i}`;
    if (!s || typeof s !== 'object') return fail(p, 'must be an object');
    const st = s as Record<string, unknown>;
    if (typeof st.at !== 'number' || !Number.isFinite(st.at) || st.at < 0) fail(`${p}/at`, 'must be a number ≥ 0');
    const at = st.at as number;
    if (Object.hasOwn(st, 'presence') && (st.event === undefined || st.event === 'presence')) {
      const pr = st.presence as Record<string, unknown> | null;
      if (!pr || typeof pr !== 'object' || Array.isArray(pr)) return fail(`${p}/presence`, 'must be an object');
      if (typeof pr.group !== 'string' || pr.group === '') fail(`${p}/presence/group`, 'must be a group name');
      if (typeof pr.user !== 'string' || pr.user === '') fail(`${p}/presence/user`, 'must be a recipient address');
      if (typeof pr.present !== 'boolean') fail(`${p}/presence/present`, 'must be a boolean');
      const presence = { group: pr.group as string, user: pr.user as string, present: pr.present as boolean };
      return { at, event: 'presence', presence };
    }
    switch (st.event) {
      case 'accept':
      case 'reject':
      case 'cancel':
        if (typeof st.by !== 'string' || st.by === '') fail(`${p}/by`, 'must be a user id');
        return { at, event: st.event, by: st.by as string };
      case 'presence':
        return fail(`${p}/presence`, 'must be an object');
      case 'deliveryFailed':
        if (typeof st.user !== 'string' || st.user === '') fail(`${p}/user`, 'must be a user id');
        return { at, event: 'deliveryFailed', user: st.user as string };
      default:
        return fail(`${p}/event`, "must be 'accept', 'reject', 'cancel' or 'deliveryFailed' (or give 'presence')");
    }
  });
  return typeof o.description === 'string' ? { description: o.description, steps } : { steps };
}

/** The event a scenario step delivers at absolute time `at`. */
export function scenarioEvent(
  step: ScenarioStep,
  at: number,
  notifications: readonly { id: string; user: string; status: string }[] = [],
): PlanEvent {
  switch (step.event) {
    case 'accept':
    case 'reject':
      return { type: 'RESPONSE', response: step.event, by: step.by, at };
    case 'cancel':
      return { type: 'CANCEL', by: step.by, at };
    case 'deliveryFailed': {
      const pending = notifications.filter((n) => n.user === step.user && n.status === 'pending');
      const notificationId = pending[pending.length - 1]?.id ?? `~none-for-${step.user}`;
      return { type: 'DELIVERY', notificationId, status: 'failed', retryable: false, reason: 'simulated', at };
    }
    case 'presence':
      return { type: 'PRESENCE', ...step.presence, at };
  }
}

export interface ArmedTimer {
  readonly sendId: string;
  readonly event: PlanEvent;
  readonly dueAt: number;
  readonly seq: number;
}

const users = (p: unknown): string[] =>
  ((p as { notifications?: { user: string }[] } | undefined)?.notifications ?? []).map((n) => n.user);

/**
 * Applies the actions of one step to the timer table (mutated) and turns them into timeline
 * effects. Exported for the analyser and tests: the same translation everywhere.
 */
export function effectsOf(
  actions: readonly PlanAction[],
  t: number,
  armed: Map<string, ArmedTimer>,
  nextSeq: () => number,
): TimelineEffect[] {
  const out: TimelineEffect[] = [];
  for (const a of actions) {
    const p = (a.params ?? {}) as Record<string, unknown>;
    switch (a.type) {
      case 'tocsin.notify':
        out.push({ type: 'notify', group: String(p.group), round: Number(p.round), recipients: users(p) });
        break;
      case 'tocsin.withdraw':
        out.push({ type: 'withdraw', recipients: users(p) });
        break;
      case 'tocsin.log':
        out.push({ type: 'log', message: String(p.message) });
        break;
      case 'tocsin.forward': // a linked alarm, not a notification: not counted in `notifications`
        out.push({ type: 'forward', alarmType: String(p.alarmType), text: String(p.text) });
        break;
      case 'xstate.raise': {
        const event = p.event as PlanEvent;
        const sendId = typeof p.id === 'string' ? p.id : event.type;
        const dueAt = t + (typeof p.delay === 'number' ? p.delay : 0);
        armed.set(sendId, { sendId, event, dueAt, seq: nextSeq() });
        out.push({ type: 'timer.set', sendId, dueAt });
        break;
      }
      case 'xstate.cancel': {
        const sendId = String(p.sendId);
        if (armed.delete(sendId)) out.push({ type: 'timer.cancel', sendId });
        break;
      }
      default:
        break; // other actions carry no effect the timeline shows
    }
  }
  return out;
}

/** Runs `scenario` against the plan; see the header comment for the exact rules. */
export function simulatePlan(
  machine: AnyStateMachine,
  input: PlanInput,
  scenario: Scenario,
  opts: { maxSteps?: number; horizonMs?: number } = {},
): Timeline {
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const horizonMs = opts.horizonMs ?? DEFAULT_HORIZON_MS;
  const base = input.alarm.raisedAt;
  const steps = scenario.steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.at - b.s.at || a.i - b.i);
  const armed = new Map<string, ArmedTimer>();
  let seq = 0;
  const nextSeq = () => seq++;
  const entries: TimelineEntry[] = [];
  let notifications = 0;
  let firstNotificationAt: number | null = null;

  const record = (at: number, trigger: TimelineTrigger, from: string | null, r: StepResult) => {
    const effects = effectsOf(r.actions, at, armed, nextSeq);
    for (const e of effects) {
      if (e.type === 'notify' && e.recipients.length > 0) {
        notifications += e.recipients.length;
        firstNotificationAt ??= at;
      }
    }
    entries.push({ at, trigger, from, to: stateKey(r.snapshot), effects });
    return r;
  };

  let t = 0;
  let current = record(0, { kind: 'start' }, null, planStart(machine, input));
  let next = 0;
  let applied = 0;
  let reason: EndReason;
  for (;;) {
    if (current.snapshot.status === 'done') {
      reason = 'final';
      break;
    }
    let timer: ArmedTimer | undefined;
    for (const a of armed.values()) {
      if (!timer || a.dueAt < timer.dueAt || (a.dueAt === timer.dueAt && a.seq < timer.seq)) timer = a;
    }
    const step = steps[next];
    if (!timer && !step) {
      reason = 'idle';
      break;
    }
    const stepAt = step ? Math.max(step.s.at, t) : Infinity;
    const useTimer = timer !== undefined && timer.dueAt <= stepAt;
    const at = useTimer ? timer!.dueAt : stepAt;
    if (at > horizonMs) {
      reason = 'horizon';
      break;
    }
    if (applied >= maxSteps) {
      reason = 'maxSteps';
      break;
    }
    applied++;
    t = at;
    const from = stateKey(current.snapshot);
    if (useTimer) {
      armed.delete(timer!.sendId);
      const trigger: TimelineTrigger = { kind: 'timer', sendId: timer!.sendId, event: timer!.event.type };
      current = record(t, trigger, from, planStep(machine, current.snapshot, timer!.event));
    } else {
      next++;
      const ctx = current.snapshot.context as { notifications?: { id: string; user: string; status: string }[] };
      const event = scenarioEvent(step!.s, base + t, ctx.notifications ?? []);
      current = record(t, { kind: 'scenario', step: step!.i, event }, from, planStep(machine, current.snapshot, event));
    }
  }
  const last = entries[entries.length - 1]!;
  return {
    entries,
    end: { at: last.at, state: last.to, status: current.snapshot.status, reason },
    notifications,
    firstNotificationAt,
  };
}
