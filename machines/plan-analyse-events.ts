/**
 * The events plan-analyse.ts tries in each node it explores (the list in its header comment):
 * responses, cancel, presence, DELIVERY failures and every other declared event, all taking 0 ms.
 * Pure.
 */
import type { AnyStateMachine } from 'xstate';
import type { PlanInput } from './plan-context.ts';
import type { PlanEvent } from './plan-simulate.ts';

export const STRANGER = '~stranger';
/** Recipients per presence-tracked group whose PRESENCE events the analyser tries. */
export const PRESENCE_USERS = 3;
/** Pending notifications of the current level whose DELIVERY failure is tried, when the plan counts. */
export const DELIVERY_FAILURES = 3;
/** The notification id of the DELIVERY failure tried for a notification the alarm does not have. */
export const UNKNOWN_NOTIFICATION = '~unknown';
/** Event types tried by their own rules rather than as a bare `{type}`. */
const HANDLED = new Set(['RESPONSE', 'CANCEL', 'PRESENCE', 'DELIVERY']);

/** Guards that read the statuses of several notifications of the current level. */
const COUNTING_GUARDS = new Set(['acceptedCountAtLeast', 'allRejected', 'anyRejected']);

/** Whether the plan names one of COUNTING_GUARDS anywhere in its definition. */
function usesCountingGuard(machine: AnyStateMachine): boolean {
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(walk);
    if (!v || typeof v !== 'object') return false;
    return Object.entries(v).some(([k, x]) => {
      if (k !== 'guard') return walk(x);
      const name = typeof x === 'string' ? x : (x as { type?: unknown } | null)?.type;
      return typeof name === 'string' && COUNTING_GUARDS.has(name);
    });
  };
  return walk(machine.config);
}

/**
 * The DELIVERY failures tried in a node (see the header comment): the first `perLevel` pending
 * notifications of the current level, then the first pending one of an older level.
 */
export function deliveryFailures(
  context: Record<string, unknown>,
  perLevel: number,
  at: number,
): { event: PlanEvent; label: string }[] {
  const notifications = (context.notifications as { id: string; status: string }[] | undefined) ?? [];
  const currentIds = (context.current as string[] | undefined) ?? [];
  const pending = new Set(notifications.filter((n) => n.status === 'pending').map((n) => n.id));
  const current = currentIds.filter((id) => pending.has(id)).slice(0, perLevel);
  const older = notifications.find((n) => pending.has(n.id) && !currentIds.includes(n.id));
  return [...current, ...(older ? [older.id] : [])].map((notificationId) => ({
    event: { type: 'DELIVERY', notificationId, status: 'failed', retryable: false, at },
    label: `DELIVERY failed ${notificationId}`,
  }));
}

/**
 * The events tried in every node that is not final (all but the per-node DELIVERY failures of
 * `deliveryFailures`), with whether the plan listens for DELIVERY and how many failures of the
 * current level are tried per node.
 */
export function triedEvents(
  machine: AnyStateMachine,
  input: PlanInput,
): { events: { event: PlanEvent; label: string }[]; listensDelivery: boolean; failuresPerLevel: number } {
  const at = input.alarm.raisedAt;
  const users = [...new Set(Object.values(input.groups).flat())].sort();
  const events: { event: PlanEvent; label: string }[] = [];
  for (const by of [...users, STRANGER]) {
    for (const response of ['accept', 'reject']) {
      events.push({ event: { type: 'RESPONSE', response, by, at }, label: `RESPONSE ${response} by ${by}` });
    }
  }
  events.push({ event: { type: 'CANCEL', by: '~analyser', at }, label: 'CANCEL' });
  const declared = (machine.root as unknown as { events: string[] }).events;
  if (declared.includes('PRESENCE')) {
    const before = events.length;
    const tracked = Object.keys(input.presence ?? {}).sort();
    for (const group of tracked) {
      const members = new Set([...(input.groups[group] ?? []), ...(input.presence?.[group] ?? [])]);
      for (const user of [...members].sort().slice(0, PRESENCE_USERS)) {
        for (const present of [true, false]) {
          events.push({
            event: { type: 'PRESENCE', group, user, present, at },
            label: `PRESENCE ${user} ${present ? 'in' : 'out of'} ${group}`,
          });
        }
      }
    }
    if (events.length === before) {
      events.push({
        event: { type: 'PRESENCE', group: '~analyser', user: '~analyser', present: true, at },
        label: 'PRESENCE',
      });
    }
  }
  const listensDelivery = declared.includes('DELIVERY');
  const failuresPerLevel = !listensDelivery ? 0 : usesCountingGuard(machine) ? DELIVERY_FAILURES : 1;
  if (listensDelivery) {
    events.push({
      event: { type: 'DELIVERY', notificationId: UNKNOWN_NOTIFICATION, status: 'failed', retryable: false, at },
      label: `DELIVERY failed ${UNKNOWN_NOTIFICATION}`,
    });
  }
  for (const type of [...new Set(declared)].sort()) {
    if (!HANDLED.has(type) && !type.startsWith('xstate.')) {
      events.push({ event: { type, at }, label: type });
    }
  }
  return { events, listensDelivery, failuresPerLevel };
}
