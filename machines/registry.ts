/**
 * The registry of actions, guards and delays that plans may name. Pure: actions update the
 * context with `assign` and hand effects back to the runtime as `tocsin.*` actions (XState's
 * pure `transition()` returns them instead of running them). Guards record their results in
 * the active GuardTrace so the protocol can say why a transition was taken.
 */
import { enqueueActions, assign, raise } from 'xstate';
import { renderAlarmText } from './alarm-text.ts';
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

/**
 * `context.presence` with `event` applied when it is a well-formed PRESENCE event for a
 * presence-tracked group (the same object otherwise). Present recipients are kept sorted, so
 * equal presence is equal JSON whatever the order of events.
 */
function withPresence(context: PlanContext, event: Args['event']): PlanContext['presence'] {
  const presence = context.presence;
  if (event.type !== 'PRESENCE' || presence === undefined) return presence;
  const { group, user, present } = event;
  if (typeof group !== 'string' || typeof user !== 'string' || typeof present !== 'boolean') return presence;
  if (!Object.hasOwn(presence, group)) return presence;
  const before = presence[group]!;
  if (before.includes(user) === present) return presence;
  const after = present ? [...before, user].sort() : before.filter((u) => u !== user);
  return { ...presence, [group]: after };
}

/** The notifications of the current level (the latest `notify` / `notifyUser`). */
const currentLevel = (context: PlanContext): PlanNotification[] =>
  context.current.flatMap((id) => context.notifications.filter((x) => x.id === id));

/** `n` has, or gets with this event, the response `response`. */
const responded = (n: PlanNotification, event: Args['event'], response: 'accept' | 'reject'): boolean =>
  n.status === (response === 'accept' ? 'accepted' : 'rejected') ||
  (event.type === 'RESPONSE' && event.response === response && event.by === n.user && isOpen(n));

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const formats = new Map<string, Intl.DateTimeFormat>();

/** Local weekday (0 = Sunday) and minute of the day of `at` in `timeZone`. Throws RangeError for an unknown zone. */
export function localTime(at: number, timeZone: string): { day: number; minutes: number } {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const day = DAYS.indexOf(String(parts.weekday).toLowerCase() as (typeof DAYS)[number]);
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minutesOf = (hhmm: unknown): number => {
  const [h, m] = String(hhmm).split(':');
  return Number(h) * 60 + Number(m);
};

/**
 * Whether `at` lies in the window from..to (to exclusive) in `timeZone`. `days` are the days
 * a window starts on: a window crossing midnight (to < from) started on Friday still holds
 * early on Saturday. from == to is the whole day.
 */
export function inWindow(
  at: number,
  p: { from: string; to: string; timeZone: string; days?: readonly string[] | undefined },
): boolean {
  const { day, minutes } = localTime(at, p.timeZone);
  const on = (d: number) => p.days === undefined || p.days.includes(DAYS[(d + 7) % 7]!);
  const from = minutesOf(p.from);
  const to = minutesOf(p.to);
  if (from === to) return on(day);
  if (from < to) return on(day) && minutes >= from && minutes < to;
  return (on(day) && minutes >= from) || (on(day - 1) && minutes < to);
}

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
  /** At least `params.n` notifications of the current level are accepted, counting this event's accept. */
  acceptedCountAtLeast: traced(
    'acceptedCountAtLeast',
    ({ context, event }, params) =>
      currentLevel(context).filter((n) => responded(n, event, 'accept')).length >= Number(params.n),
  ),
  /** A notification of the current level is rejected, counting this event's reject. */
  anyRejected: traced('anyRejected', ({ context, event }) =>
    currentLevel(context).some((n) => responded(n, event, 'reject')),
  ),
  /**
   * The event is a DELIVERY with status 'failed' for a notification of this alarm that is still
   * pending: not one of another alarm or made up, not already answered, withdrawn or failed.
   */
  deliveryFailed: traced(
    'deliveryFailed',
    ({ context, event }) =>
      event.type === 'DELIVERY' &&
      event.status === 'failed' &&
      context.notifications.some((n) => n.id === event.notificationId && isOpen(n)),
  ),
  /** At least as urgent as `params.priority`: Tocsin priority 1 is the most urgent, 9 the least, so alarm.priority <= p. */
  priorityAtLeast: traced(
    'priorityAtLeast',
    ({ context }, params) => context.alarm.priority <= Number(params.priority),
  ),
  /** The alarm's environment is `params.environment`. */
  environmentIs: traced('environmentIs', ({ context }, params) => context.alarm.environment === params.environment),
  /** The alarm's source adapter is `params.adapter`, and its device `params.device` when given. */
  sourceIs: traced(
    'sourceIs',
    ({ context }, params) =>
      context.alarm.source.adapter === params.adapter &&
      (params.device === undefined || context.alarm.source.device === params.device),
  ),
  /**
   * The event's `at` (the raise time when the event has none: the first step, and timer
   * events, which carry no time) lies in the window; see `inWindow`. Throws RangeError for an
   * unknown time zone (the validator rejects those).
   */
  inTimeWindow: traced('inTimeWindow', ({ context, event }, params) =>
    inWindow(typeof event.at === 'number' ? event.at : context.alarm.raisedAt, {
      from: String(params.from),
      to: String(params.to),
      timeZone: String(params.timeZone),
      days: Array.isArray(params.days) ? (params.days as string[]) : undefined,
    }),
  ),
  /**
   * Nobody is present in `params.group`, counting this event when it is a PRESENCE for it. A
   * group that is not presence-tracked counts as present unless it has no members.
   */
  nobodyPresent: traced('nobodyPresent', ({ context, event }, params) => {
    const group = String(params.group);
    const presence = withPresence(context, event);
    if (presence !== undefined && Object.hasOwn(presence, group)) return presence[group]!.length === 0;
    return !Object.hasOwn(context.groups, group) || context.groups[group]!.length === 0;
  }),
  /** Another round is allowed: `round + 1 < params.rounds` (params.rounds defaults to 1). */
  roundsLeft: traced('roundsLeft', ({ context }) => context.round + 1 < Number(context.params.rounds ?? 1)),
};

/** Params of `notify`: exactly one recipient key (the validator enforces it). */
export interface NotifyParams {
  readonly group?: string;
  readonly user?: string;
  readonly device?: string;
  readonly contact?: string;
  readonly profile?: string;
  readonly text?: string;
}

/**
 * The recipients and notification group of a notify. A group notifies its members (frozen at
 * raise time; a member listed twice once); a single recipient gets the group `@<address>`
 * (not a directory group: marks a direct notification), as `notifyUser` always did.
 */
function recipientsOf(context: PlanContext, params: NotifyParams): { group: string; members: string[] } {
  if (params.group !== undefined)
    return { group: params.group, members: [...new Set(context.groups[params.group] ?? [])] };
  const address =
    params.user !== undefined
      ? params.user
      : params.device !== undefined
        ? `device:${params.device}`
        : params.contact !== undefined
          ? `contact:${params.contact}`
          : undefined;
  return address === undefined ? { group: '', members: [] } : { group: `@${address}`, members: [address] };
}

/** Notifies the recipients of `params` and makes them the current level; ids `<group>.<round>.<address>`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
function notifyWith({ context, enqueue }: { context: PlanContext; enqueue: any }, params: NotifyParams): void {
  const { group, members } = recipientsOf(context, params ?? {});
  const created: PlanNotification[] = members.map((user) => ({
    id: `${group}.${context.round}.${user}`,
    user,
    group,
    round: context.round,
    status: 'pending',
  }));
  const known = new Set(context.notifications.map((n) => n.id));
  const fresh = created.filter((n) => !known.has(n.id));
  enqueue.assign({ notifications: [...context.notifications, ...fresh], current: created.map((n) => n.id) });
  enqueue({
    type: 'tocsin.notify',
    params: {
      group,
      round: context.round,
      text: params?.text === undefined ? context.alarm.text : renderAlarmText(String(params.text), context.alarm),
      ...(params?.profile === undefined ? {} : { profile: String(params.profile) }),
      notifications: fresh.map((n) => ({ id: n.id, user: n.user })),
    },
  });
}

export const actions = {
  /**
   * Notifies every member of `params.group` (frozen at raise time), or the one `user`, `device`
   * or `contact`, with the optional `profile` and `text` template, and makes them the current level.
   */
  notify: enqueueActions(notifyWith),
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
  /** Notifies one user and makes that notification the current level: `notify` with `{user}`. */
  notifyUser: enqueueActions(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
    (args: { context: PlanContext; enqueue: any }, params: { user: string }) => notifyWith(args, { user: params.user }),
  ),
  /** Sets an output to a value: returns `tocsin.setOutput` for an output adapter. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
  setOutput: enqueueActions(({ enqueue }: { enqueue: any }, params: { output: string; value: boolean | number }) => {
    enqueue({ type: 'tocsin.setOutput', params: { output: String(params.output), value: params.value } });
  }),
  /** Raises the internal event `params.event` (processed within this step, before any external event). */
  raiseEvent: raise((_: unknown, params: { event: string }) => ({ type: String(params.event) })),
  /** Marks the notification named by a DELIVERY event 'failed' when the status is failed and it is still open. */
  recordDelivery: assign(({ context, event }: Args) => {
    if (event.type !== 'DELIVERY' || event.status !== 'failed') return {};
    if (!context.notifications.some((n) => n.id === event.notificationId && isOpen(n))) return {};
    return {
      notifications: context.notifications.map((n) =>
        n.id === event.notificationId && isOpen(n) ? { ...n, status: 'failed' as const } : n,
      ),
    };
  }),
  /** Records a PRESENCE event in `context.presence`; events for groups not presence-tracked are ignored. */
  recordPresence: assign(({ context, event }: Args) => {
    const presence = withPresence(context, event);
    return presence === context.presence ? {} : { presence };
  }),
  /** Raises a linked alarm of type `params.alarmType`: returns `tocsin.forward` (text: the template rendered, else the alarm's text). */
  forward: enqueueActions(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped; checked by checkNames and the validator
    ({ context, enqueue }: { context: PlanContext; enqueue: any }, params: { alarmType: string; text?: string }) => {
      enqueue({
        type: 'tocsin.forward',
        params: {
          alarmType: String(params.alarmType),
          text: params.text === undefined ? context.alarm.text : renderAlarmText(String(params.text), context.alarm),
        },
      });
    },
  ),
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
