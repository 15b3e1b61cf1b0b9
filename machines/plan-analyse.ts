/**
 * Analysis of a plan before it is published: which states it reaches, how it ends, and
 * worst-case times and counts. The engine is the runtime's own pure decision (planStart /
 * planStep), explored breadth-first; no clock, no I/O, deterministic.
 *
 * THE EXPLORED GRAPH
 * A node is a resting snapshot plus the timers armed in it. Its key (what makes two nodes
 * the same) is: the state value; the context without the frozen input (`alarm`, `groups`,
 * `params`) and with each notification reduced to `[id, status]` (so `round`, `current`,
 * every notification's status (see `exact` below), and any plan-specific context count; `respondedAt` does
 * not); the armed timers as `[sendId, remainingMs]` in firing order; and whether anyone has
 * been notified yet. A final node (status 'done') is keyed by its state value alone: nothing
 * follows it, and what led there is on the edge. Timers are tracked exactly as the runtime tracks timer rows: an
 * `xstate.raise` with a delay arms (remaining = delay), an `xstate.cancel` disarms.
 * By default (`exact: false`) only the notifications of the current level (`context.current`)
 * keep their status in the key; older ones count by id alone. The registry's guards read only
 * the current level and `recordResponse` only moves an older notification from pending to
 * responded, which changes no later decision, so the figures are the same (the tests check
 * this against `exact: true`). The exception is `deliveryFailed`, which holds for a failure of
 * any still pending notification of the alarm: when the machine declares `DELIVERY`, the key
 * also holds how many older notifications are pending. Which ones does not matter: no guard
 * reads an older notification, and a failure of the first pending one is tried in every node
 * (below), so every number of further failures is explored. The exact key grows as 2^(number of notifications):
 * escalate with three users and five rounds has 65,537 exact nodes but a few dozen abstract ones.
 * The node explored for a key is the first one found (BFS order).
 * The events tried in each node that is not final (snapshot status 'done') are:
 *  - `RESPONSE` accept and reject by every user of every group in the input, and by one
 *    stranger (`~stranger`), each taking 0 ms;
 *  - `CANCEL` (by `~analyser`), 0 ms;
 *  - when the machine declares `PRESENCE`: for each presence-tracked group of the input (in
 *    `input.presence`), `present: true` and `false` for its first PRESENCE_USERS recipients
 *    (members and those present at raise, sorted); when that is none, one PRESENCE of
 *    `~analyser` in `~analyser` (which `recordPresence` ignores but a plain transition takes);
 *    0 ms. The cap bounds the presence sets a node can hold to 2^PRESENCE_USERS per group;
 *  - when the machine declares `DELIVERY`: `{type: 'DELIVERY', notificationId, status:
 *    'failed', retryable: false, at}` (the runtime's event, src/domain/events.ts) for the first
 *    pending notification of the current level (in `context.current` order; the first
 *    DELIVERY_FAILURES when the plan names a guard that counts the level's statuses:
 *    acceptedCountAtLeast, allRejected, anyRejected), for the first pending notification of an
 *    older level, and for an id the alarm does not have (UNKNOWN_NOTIFICATION: what an
 *    unguarded DELIVERY transition takes), each 0 ms. Trying the first pending one in every node
 *    fails them one after another, so every number of failures is explored; which one fails
 *    matters only to the counting guards, hence the wider choice for them;
 *  - every other event type the machine declares in `on` (bare `{type}`), 0 ms;
 *  - the armed timer that fires first (smallest remaining, ties by arming order): its event,
 *    taking `remaining` ms; the other timers' remaining times drop by as much.
 * Responses are thus assumed to arrive at the instant a state is entered; one arriving later
 * (but before the next timer) cannot make a plan built from `after` timers armed on entry
 * slower than the timer itself would. THE TIME ASSUMPTION FOR DELIVERY FAILURES: a failure
 * can come at any time ≥ 0 after its notify (the notifier's retries decide when). The analyser
 * takes it at 0 ms: it counts for the earliest times (`pathsToFinal`) and never extends the
 * worst-case times beyond the timers. A failure that in fact comes t ms after the node was
 * entered (t below the first armed timer's remaining time, else the timer fires first) delays
 * what follows it by t; when it leads to a state that arms its timers afresh (e.g. back to the
 * first level), the real worst case can exceed `worstCaseLastEscalationMs` by up to the first
 * timer's remaining time per failure on the path. Counts and loops do not depend on this
 * assumption: what a failure triggers does not depend on when it comes (every event tried
 * carries the raise time as `at`, which only `inTimeWindow` reads).
 * Exploration stops after `maxStates` nodes (default 5,000): `truncated` is then true.
 *
 * THE FIGURES
 *  - `reachableStates`: the distinct state values of explored nodes (`stateKey` strings).
 *  - `transientStates`: declared atomic states entered only inside a macrostep (e.g. a
 *    state left at once by `always`), found by replaying explored edges with `getMicrosteps`.
 *  - `unreachableStates`: declared atomic and final states (dot paths) neither at rest in an
 *    explored node nor transient.
 *  - `finalStates`: state values of explored nodes whose status is 'done'.
 *  - `pathsToFinal`: for each final state, the path with the fewest events from the start
 *    (BFS order), as event labels, with `atMs` = the time elapsed along it.
 *  - `worstCaseFirstNotificationMs`: 0 if the start notifies someone. Otherwise the longest
 *    time, over paths through nodes where nobody has been notified yet, until an edge that
 *    notifies at least one recipient. Null if unbounded or unknown: such a path can wait with
 *    no timer armed in a state that is not final, or cycle with time passing, or the
 *    exploration was truncated.
 *  - `worstCaseLastEscalationMs`: the longest time over all explored paths (responses 0 ms,
 *    timers their remaining delay) from the start to the last timer firing, i.e. to a node
 *    from which no further time can pass. For a timer-only path this is "until no timer is
 *    armed or a final/idle state". Null if a cycle lets time pass without end, or truncated.
 *    For escalate with levelTimeoutMs T and rounds R: 2·R·T.
 *  - `maxNotificationsPerAlarm`: the largest total of notified recipients (sum of the
 *    recipients of every `tocsin.notify`, the start included) over explored paths. Null if a
 *    cycle notifies again without end, or truncated. For escalate: (|A| + |B|)·R.
 *  - `loopsWithoutDelay`: cycles made only of non-timer edges (responses, cancel, DELIVERY
 *    failures, other events) that notify at least one recipient: they could spam without any time passing.
 *    `certain: true` when the cycle exists among explored nodes (it repeats for ever);
 *    `certain: false` when the exploration was truncated and the cycle exists only between
 *    state values (the context keeps changing, e.g. the round grows without bound). A loop
 *    that is bounded (escalate's reject-all escalation, limited by `rounds`, or a failure that
 *    escalates through `roundsLeft`) is not reported. A notification fails at most once
 *    (`deliveryFailed` needs it pending), so a failure loop notifies again without end only
 *    when each turn makes new notifications (a new round).
 *  - `errors`: events on which the plan throws (e.g. an `always` loop), with the path.
 * All figures are computed on the explored graph with Tarjan's strongly connected components
 * and a longest-path pass over the condensation (a component with a positive edge inside is
 * unbounded).
 */
import { getInitialMicrosteps, getMicrosteps, type AnyStateMachine } from 'xstate';
import type { PlanInput } from './plan-context.ts';
import { planStart, planStep, stateKey, type PersistedPlanSnapshot, type StepResult } from './plan-step.ts';
import { effectsOf, type ArmedTimer, type PlanEvent, type TimelineEffect } from './plan-simulate.ts';
import { deliveryFailures, triedEvents } from './plan-analyse-events.ts';
import { longest, loops, type Edge, type Node } from './plan-analyse-graph.ts';

export interface Analysis {
  readonly reachableStates: string[];
  readonly transientStates: string[];
  readonly unreachableStates: string[];
  readonly finalStates: string[];
  readonly pathsToFinal: { readonly state: string; readonly events: string[]; readonly atMs: number }[];
  readonly worstCaseFirstNotificationMs: number | null;
  readonly worstCaseLastEscalationMs: number | null;
  readonly maxNotificationsPerAlarm: number | null;
  readonly loopsWithoutDelay: { readonly states: string[]; readonly events: string[]; readonly certain: boolean }[];
  readonly errors: { readonly path: string[]; readonly message: string }[];
  readonly exploredStates: number;
  readonly truncated: boolean;
}

export const DEFAULT_MAX_STATES = 5000;

const FROZEN = new Set(['alarm', 'groups', 'params']);

/**
 * The context part of a node's key: see THE EXPLORED GRAPH. `pendingMatters`: the plan listens
 * for DELIVERY, so the number of older notifications still pending is kept (`deliveryFailed`
 * holds for a failure of any pending notification of the alarm).
 */
function contextKey(context: Record<string, unknown>, exact: boolean, pendingMatters: boolean): unknown[] {
  const current = new Set((context.current as string[] | undefined) ?? []);
  const key = (list: { id: string; status: string }[]) => {
    const older = list.filter((n) => !exact && !current.has(n.id));
    const pendingOlder = older.filter((n) => n.status === 'pending').length;
    return [
      ...list.map((n) => (exact || current.has(n.id) ? [n.id, n.status] : n.id)),
      ...(pendingMatters ? [pendingOlder] : []),
    ];
  };
  return Object.keys(context)
    .filter((k) => !FROZEN.has(k))
    .sort()
    .map((k) => (k === 'notifications' ? [k, key(context[k] as { id: string; status: string }[])] : [k, context[k]]));
}

const recipientsOf = (effects: TimelineEffect[]) =>
  effects.reduce((sum, e) => sum + (e.type === 'notify' ? e.recipients.length : 0), 0);

/** Timers after `elapsed` ms and the actions of a step, in firing order, seq renumbered. */
function nextTimers(armedBefore: readonly ArmedTimer[], elapsed: number, result: StepResult) {
  const map = new Map<string, ArmedTimer>();
  for (const a of armedBefore) map.set(a.sendId, { ...a, dueAt: a.dueAt - elapsed });
  let seq = armedBefore.length;
  const effects = effectsOf(result.actions, 0, map, () => seq++);
  const armed = [...map.values()].sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq).map((a, i) => ({ ...a, seq: i }));
  return { armed, effects };
}

/** Dot paths of the atomic states active in a state value. */
function leaves(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const sub = leaves(v, `${prefix}${k}.`);
    out.push(...(sub.length > 0 ? sub : [prefix + k]));
  }
  return out;
}

/** Declared atomic and final states as dot paths. */
function declaredLeaves(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (node: { states: Record<string, unknown> }) => {
    for (const child of Object.values(node.states) as {
      type: string;
      path: string[];
      states: Record<string, unknown>;
    }[]) {
      if (child.type === 'atomic' || child.type === 'final') out.push(child.path.join('.'));
      else if (child.type !== 'history') walk(child);
    }
  };
  walk(machine.root as unknown as { states: Record<string, unknown> });
  return out;
}

/** Explores the plan and computes the figures described in the header comment. */
export function analysePlan(
  machine: AnyStateMachine,
  input: PlanInput,
  opts: { maxStates?: number; exact?: boolean } = {},
): Analysis {
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const exact = opts.exact ?? false;
  const at = input.alarm.raisedAt;
  const { events, listensDelivery, failuresPerLevel } = triedEvents(machine, input);

  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const errors: { path: string[]; message: string }[] = [];
  const byKey = new Map<string, number>();
  const keyOf = (snapshot: PersistedPlanSnapshot, armed: readonly ArmedTimer[], notified: boolean) =>
    snapshot.status === 'done'
      ? JSON.stringify([snapshot.value, snapshot.status])
      : JSON.stringify([
          snapshot.value,
          snapshot.status,
          contextKey(snapshot.context, exact, listensDelivery),
          armed.map((a) => [a.sendId, a.dueAt]),
          notified,
        ]);
  const pathOf = (v: number): { labels: string[]; ms: number } => {
    const labels: string[] = [];
    let ms = 0;
    for (let p = nodes[v]!.parent; p; p = nodes[p.node]!.parent) {
      labels.unshift(edges[p.edge]!.label);
      ms += edges[p.edge]!.ms;
    }
    return { labels, ms };
  };

  const start = planStart(machine, input);
  const startEffects = nextTimers([], 0, start);
  const startRecipients = recipientsOf(startEffects.effects);
  const add = (
    snapshot: PersistedPlanSnapshot,
    armed: readonly ArmedTimer[],
    notified: boolean,
    parent: Node['parent'],
  ) => {
    const key = keyOf(snapshot, armed, notified);
    const known = byKey.get(key);
    if (known !== undefined) return known;
    nodes.push({ snapshot, armed, notified, value: stateKey(snapshot), parent });
    byKey.set(key, nodes.length - 1);
    return nodes.length - 1;
  };
  add(start.snapshot, startEffects.armed, startRecipients > 0, undefined);

  let truncated = false;
  for (let v = 0; v < nodes.length; v++) {
    const node = nodes[v]!;
    if (node.snapshot.status === 'done') continue;
    const instant = [...events, ...deliveryFailures(node.snapshot.context, failuresPerLevel, at)];
    const tries: { event: PlanEvent; label: string; timer: boolean; ms: number }[] = instant.map((e) => ({
      ...e,
      timer: false,
      ms: 0,
    }));
    const first = node.armed[0];
    if (first) tries.push({ event: first.event, label: first.event.type, timer: true, ms: first.dueAt });
    for (const t of tries) {
      let result: StepResult;
      try {
        result = planStep(machine, node.snapshot, t.event);
      } catch (err) {
        errors.push({ path: [...pathOf(v).labels, t.label], message: (err as Error).message });
        continue;
      }
      const before = t.timer ? node.armed.slice(1) : node.armed;
      const { armed, effects } = nextTimers(before, t.ms, result);
      const recipients = recipientsOf(effects);
      const edge = edges.length;
      const existing = byKey.get(keyOf(result.snapshot, armed, node.notified || recipients > 0));
      if (existing === undefined && nodes.length >= maxStates) {
        truncated = true;
        continue;
      }
      const to = existing ?? add(result.snapshot, armed, node.notified || recipients > 0, { node: v, edge });
      edges.push({ from: v, to, label: t.label, timer: t.timer, ms: t.ms, recipients, event: t.event });
    }
  }

  // States: at rest, transient, unreachable, final.
  const reachable = [...new Set(nodes.map((n) => n.value))].sort();
  const atRest = new Set(nodes.flatMap((n) => leaves(n.snapshot.value)));
  const declaredAll = declaredLeaves(machine);
  const missing = new Set(declaredAll.filter((s) => !atRest.has(s)));
  const transient = new Set<string>();
  const see = (steps: { value: unknown }[]) => {
    for (const s of steps) {
      for (const l of leaves(s.value)) {
        if (missing.delete(l)) transient.add(l);
      }
    }
  };
  if (missing.size > 0) see(getInitialMicrosteps(machine, input).map(([s]) => s));
  for (const e of edges) {
    if (missing.size === 0) break;
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped
      const restored = machine.resolveState(nodes[e.from]!.snapshot as any);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON and XState meet here untyped
      see(getMicrosteps(machine, restored, e.event as any).map(([s]) => s));
    } catch {
      // reported in `errors` already
    }
  }
  const finalNodes = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (n.snapshot.status === 'done' && !finalNodes.has(n.value)) finalNodes.set(n.value, i);
  });
  const pathsToFinal = [...finalNodes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([state, i]) => {
      const p = pathOf(i);
      return { state, events: p.labels, atMs: p.ms };
    });

  // Worst-case first notification.
  let firstNotification: number | null = 0;
  if (startRecipients === 0) {
    const quiet = (i: number) => !nodes[i]!.notified;
    const dist = longest(
      nodes.length,
      edges,
      0,
      (e) => quiet(e.from) && quiet(e.to),
      (e) => e.ms,
    );
    if (truncated || dist === null) firstNotification = null;
    else {
      const waitsForever = nodes.some(
        (n, i) => quiet(i) && dist[i]! > -Infinity && n.snapshot.status !== 'done' && n.armed.length === 0,
      );
      const times = edges.filter((e) => quiet(e.from) && e.recipients > 0).map((e) => dist[e.from]! + e.ms);
      firstNotification = waitsForever ? null : times.length > 0 ? Math.max(...times) : null;
    }
  }

  const time = longest(
    nodes.length,
    edges,
    0,
    () => true,
    (e) => e.ms,
  );
  const lastEscalation = truncated || time === null ? null : Math.max(0, ...time.filter((d) => d > -Infinity));
  const count = longest(
    nodes.length,
    edges,
    0,
    () => true,
    (e) => e.recipients,
  );
  const maxNotifications =
    truncated || count === null ? null : startRecipients + Math.max(0, ...count.filter((d) => d > -Infinity));

  return {
    reachableStates: reachable,
    transientStates: [...transient].sort(),
    unreachableStates: [...missing].sort(),
    finalStates: [...finalNodes.keys()].sort(),
    pathsToFinal,
    worstCaseFirstNotificationMs: firstNotification,
    worstCaseLastEscalationMs: lastEscalation,
    maxNotificationsPerAlarm: maxNotifications,
    loopsWithoutDelay: loops(nodes, edges, truncated),
    errors,
    exploredStates: nodes.length,
    truncated,
  };
}
