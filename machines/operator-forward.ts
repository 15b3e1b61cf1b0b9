/**
 * An operator's forward, as a pure part of every plan step: `{type: 'FORWARD', recipients,
 * group?, text?, by, at}` hands a running alarm to more recipients. The plan sees the event first
 * (a plan may listen to FORWARD; most ignore it); then, if the alarm is still running, each
 * recipient gets a notification of the group `forward:<n>` (n counts the forwards, so a second
 * forward to the same person is a new notification) and a `tocsin.notify` effect, exactly as a
 * plan's `notify` would. The current level (`current`) is left alone: a forward adds a
 * responder, it does not change who the plan escalates from. An accept from a forwarded
 * recipient is an accept like any other (`accepted`, `recordResponse`).
 *
 * Pure and shared by the runtime and replay (plan-step.ts), so a replay reproduces it exactly.
 */
import type { PlanNotification } from './plan-context.ts';
import type { PlanAction, StepResult } from './plan-step.ts';

export const FORWARD_EVENT = 'FORWARD';

/** The notification group of the n-th forward (not a configuration id: those have no ':'). */
export const forwardGroup = (n: number): string => `forward:${n}`;

/** `result` with the forward of `event` applied; unchanged for any other event or an ended alarm. */
export function withOperatorForward(result: StepResult, event: { type: string; [k: string]: unknown }): StepResult {
  if (event.type !== FORWARD_EVENT || result.snapshot.status !== 'active') return result;
  const recipients = Array.isArray(event.recipients)
    ? [...new Set(event.recipients.filter((r): r is string => typeof r === 'string' && r !== ''))]
    : [];
  if (recipients.length === 0) return result;
  const context = result.snapshot.context as {
    alarm?: { text?: unknown };
    round?: unknown;
    notifications?: readonly PlanNotification[];
    forwards?: unknown;
  };
  const n = typeof context.forwards === 'number' ? context.forwards + 1 : 1;
  const round = typeof context.round === 'number' ? context.round : 0;
  const group = forwardGroup(n);
  const fresh: PlanNotification[] = recipients.map((user) => ({
    id: `${group}.${round}.${user}`,
    user,
    group,
    round,
    status: 'pending',
  }));
  const text = typeof event.text === 'string' && event.text !== '' ? event.text : String(context.alarm?.text ?? '');
  const notify: PlanAction = {
    type: 'tocsin.notify',
    params: { group, round, text, notifications: fresh.map((x) => ({ id: x.id, user: x.user })) },
  };
  return {
    ...result,
    snapshot: {
      ...result.snapshot,
      context: { ...context, notifications: [...(context.notifications ?? []), ...fresh], forwards: n },
    },
    actions: [...result.actions, notify],
  };
}
