/**
 * The registry of actions, guards and delays that plans may name. Pure: actions update the
 * context with `assign` and hand effects back to the runtime as `tocsin.*` actions (XState's
 * pure `transition()` returns them instead of running them). Guards record their results in
 * the active GuardTrace so the protocol can say why a transition was taken.
 */
import { enqueueActions, assign } from 'xstate';
import type { PlanContext, PlanNotification } from './plan-context.ts';

type Args = { context: PlanContext; event: { type: string; [k: string]: unknown } };

/** Guard results of the transition being computed; set by `traceGuards`. */
let trace: { guard: string; result: boolean }[] | undefined;

/** Runs `fn` and returns the guards it evaluated, in order, with their results. Synchronous. */
export function traceGuards<T>(fn: () => T): { value: T; guards: { guard: string; result: boolean }[] } {
  const previous = trace;
  trace = [];
  try {
    const value = fn();
    return { value, guards: trace };
  } finally {
    trace = previous;
  }
}

function traced(name: string, g: (a: Args, params: Record<string, unknown>) => boolean) {
  return (a: Args, params: Record<string, unknown>) => {
    const result = g(a, params ?? {});
    trace?.push({ guard: name, result });
    return result;
  };
}

const isOpen = (n: PlanNotification) => n.status === 'pending';

export const guards = {
  /** The event is an accept (from anyone allowed to respond). */
  accepted: traced('accepted', ({ event }) => event.type === 'RESPONSE' && event.response === 'accept'),
  /** Every notification of the current level is rejected, counting this event's reject. */
  allRejected: traced('allRejected', ({ context, event }) => {
    if (context.current.length === 0) return false;
    return context.current.every((id) => {
      const n = context.notifications.find((x) => x.id === id);
      if (!n) return false;
      if (n.status === 'rejected') return true;
      return event.type === 'RESPONSE' && event.response === 'reject' && event.by === n.user && isOpen(n);
    });
  }),
  /** Another round is allowed: `round + 1 < params.rounds` (params.rounds defaults to 1). */
  roundsLeft: traced('roundsLeft', ({ context }) => context.round + 1 < Number(context.params.rounds ?? 1)),
};

export const actions = {
  /** Notifies every member of `params.group` (frozen at raise time) and makes them the current level. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  notify: enqueueActions(({ context, enqueue }: { context: PlanContext; enqueue: any }, params: { group: string }) => {
    const members = [...new Set(context.groups[params.group] ?? [])]; // a user listed twice is notified once
    const created: PlanNotification[] = members.map((user) => ({
      id: `${params.group}.${context.round}.${user}`,
      user,
      group: params.group,
      round: context.round,
      status: 'pending',
    }));
    const known = new Set(context.notifications.map((n) => n.id));
    const fresh = created.filter((n) => !known.has(n.id));
    enqueue.assign({ notifications: [...context.notifications, ...fresh], current: created.map((n) => n.id) });
    enqueue({
      type: 'tocsin.notify',
      params: {
        group: params.group,
        round: context.round,
        text: context.alarm.text,
        notifications: fresh.map((n) => ({ id: n.id, user: n.user })),
      },
    });
  }),
  /** Withdraws every notification nobody has responded to yet. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  withdraw: enqueueActions(({ context, enqueue }: { context: PlanContext; enqueue: any }) => {
    const open = context.notifications.filter(isOpen);
    if (open.length === 0) return;
    enqueue.assign({
      notifications: context.notifications.map((n) => (isOpen(n) ? { ...n, status: 'withdrawn' } : n)),
    });
    enqueue({ type: 'tocsin.withdraw', params: { notifications: open.map((n) => ({ id: n.id, user: n.user })) } });
  }),
  /** Records an accept or reject on the responder's most recent open notification. */
  recordResponse: assign(({ context, event }: Args) => {
    if (event.type !== 'RESPONSE') return {};
    const status = event.response === 'accept' ? 'accepted' : 'rejected';
    let idx = -1;
    context.notifications.forEach((n, i) => {
      if (n.user === event.by && isOpen(n)) idx = i;
    });
    if (idx < 0) return {};
    return {
      notifications: context.notifications.map((n, i) =>
        i === idx ? { ...n, status, respondedAt: event.at as number } : n,
      ),
    };
  }),
  /** Starts the next round of the plan. */
  nextRound: assign(({ context }: Args) => ({ round: context.round + 1 })),
  /** Writes a line into the alarm's protocol. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  log: enqueueActions(({ enqueue }: { enqueue: any }, params: { message: string }) => {
    enqueue({ type: 'tocsin.log', params: { message: String(params?.message ?? '') } });
  }),
};

export const delays = {
  /** The plan parameter `levelTimeoutMs` (milliseconds). */
  levelTimeout: ({ context }: { context: PlanContext }) => Number(context.params.levelTimeoutMs),
};

export const registeredNames = {
  actions: new Set(Object.keys(actions)),
  guards: new Set(Object.keys(guards)),
  delays: new Set(Object.keys(delays)),
};
