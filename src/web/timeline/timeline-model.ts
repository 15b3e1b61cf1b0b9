/**
 * The alarm timeline, pure: from an alarm (GET /api/v1/alarms/{id}) and its protocol
 * (GET /api/v1/alarms/{id}/protocol) to the lanes the page draws on one time axis — the
 * alarm's states, one lane per recipient, the timers and the source events. Everything comes
 * from the recorded steps (notify/withdraw/timer effects, RESPONSE/DELIVERY events, fired
 * timers); the alarm's recipient timestamps only fill in what the protocol does not show. And for
 * the plan's statechart: the recorded states as paths, and — when the plan may not be read — a
 * partial plan definition of the states and transitions the alarm went through.
 */

export interface ProtocolStep {
  readonly seq: number;
  readonly at: string;
  readonly kind: 'raised' | 'event' | 'timer';
  readonly event: unknown;
  readonly fromState: string | null;
  readonly toState: string;
  readonly guards: readonly { readonly guard: string; readonly result: boolean }[];
  readonly effects: readonly unknown[];
  readonly actor: { readonly kind: string; readonly id: string };
  readonly note: string;
  readonly lateMs: number | null;
  readonly hash: string;
}

export interface AlarmDetail {
  readonly id: string;
  readonly type: string;
  readonly priority: number;
  readonly text: string;
  readonly location: string | null;
  readonly status: 'active' | 'ended';
  readonly state: string;
  readonly plan: { readonly id: string; readonly version: number };
  readonly raisedAt: string;
  readonly endedAt: string | null;
  readonly recipients: readonly {
    readonly notificationId: string;
    readonly recipient: string;
    readonly status: string;
    readonly sentAt: string | null;
    readonly deliveredAt: string | null;
    readonly respondedAt: string | null;
    readonly response: 'accept' | 'reject' | null;
  }[];
}

export type MarkerKind = 'sent' | 'delivered' | 'read' | 'accepted' | 'rejected' | 'failed' | 'withdrawn';

export interface Marker {
  readonly kind: MarkerKind;
  readonly at: number;
  /** The protocol step that recorded it; undefined when it comes from the alarm's timestamps only. */
  readonly seq: number | undefined;
}

export interface StateSegment {
  readonly state: string;
  readonly from: number;
  readonly to: number;
  /** The steps that entered the state and that left it (undefined while it lasts). */
  readonly seq: number;
  readonly untilSeq: number | undefined;
}

export interface TimerSpan {
  readonly sendId: string;
  readonly setAt: number;
  readonly setSeq: number;
  readonly dueAt: number;
  readonly delayMs: number | null;
  readonly firedAt?: number;
  readonly firedSeq?: number;
  readonly lateMs?: number | null;
  readonly cancelledAt?: number;
  readonly cancelledSeq?: number;
}

export interface SourceEvent {
  readonly seq: number;
  readonly at: number;
  /** raise, response, cancel, delivery, timer or the signal's own name. */
  readonly type: string;
  readonly label: string;
}

export interface Timeline {
  readonly start: number;
  readonly end: number;
  readonly states: readonly StateSegment[];
  readonly recipients: readonly { readonly name: string; readonly markers: readonly Marker[] }[];
  readonly timers: readonly TimerSpan[];
  readonly events: readonly SourceEvent[];
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' ? (v as Rec) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The recipient of a notification id `group.round.user` (users may contain dots). */
export const recipientOf = (notificationId: string): string => {
  const parts = notificationId.split('.');
  return parts.length >= 3 ? parts.slice(2).join('.') : notificationId;
};

/** The event's type: RAISE, RESPONSE, CANCEL, DELIVERY, a timer's or a signal's. */
export const eventType = (step: ProtocolStep): string =>
  step.kind === 'raised' ? 'RAISE' : (str(rec(step.event).type) ?? step.kind);

/** The lanes of `alarm` from `steps` (oldest first), on an axis ending at the alarm's end or `now`. */
export function buildTimeline(alarm: AlarmDetail, steps: readonly ProtocolStep[], now: number): Timeline {
  const sorted = [...steps].sort((a, b) => a.seq - b.seq);
  const start = Math.min(Date.parse(alarm.raisedAt), ...sorted.map((s) => Date.parse(s.at)));
  const last = sorted.length ? Date.parse(sorted[sorted.length - 1]!.at) : start;
  const end = Math.max(alarm.endedAt ? Date.parse(alarm.endedAt) : now, last, start);

  const states: StateSegment[] = [];
  const lanes = new Map<string, Marker[]>();
  const lane = (name: string) => {
    let l = lanes.get(name);
    if (!l) lanes.set(name, (l = []));
    return l;
  };
  const timers: TimerSpan[] = [];
  const events: SourceEvent[] = [];

  for (const s of sorted) {
    const at = Date.parse(s.at);
    // The state lane: a new segment whenever the state changes.
    const open = states[states.length - 1];
    if (!open || open.state !== s.toState) {
      if (open) states[states.length - 1] = { ...open, to: at, untilSeq: s.seq };
      states.push({ state: s.toState, from: at, to: end, seq: s.seq, untilSeq: undefined });
    }
    const ev = rec(s.event);
    const type = eventType(s);
    // What came in.
    if (s.kind === 'timer') {
      const sendId = str(ev.sendId) ?? type;
      const t =
        [...timers]
          .reverse()
          .find((x) => x.sendId === sendId && x.firedAt === undefined && x.cancelledAt === undefined) ??
        timers.find((x) => x.firedAt === undefined && x.cancelledAt === undefined);
      if (t) timers[timers.indexOf(t)] = { ...t, firedAt: at, firedSeq: s.seq, lateMs: s.lateMs };
      events.push({ seq: s.seq, at, type: 'timer', label: sendId });
    } else if (type === 'RAISE') {
      events.push({ seq: s.seq, at, type: 'raise', label: str(rec(s.event).text) ?? alarm.text });
    } else if (type === 'RESPONSE') {
      const by = str(ev.by) ?? s.actor.id;
      const response = str(ev.response) === 'accept' ? 'accepted' : 'rejected';
      lane(by).push({ kind: response, at, seq: s.seq });
      events.push({ seq: s.seq, at, type: 'response', label: `${by}: ${response}` });
    } else if (type === 'DELIVERY') {
      const who = recipientOf(str(ev.notificationId) ?? '?');
      const status = str(ev.status);
      const kind: MarkerKind = status === 'delivered' ? 'delivered' : status === 'read' ? 'read' : 'failed';
      lane(who).push({ kind, at, seq: s.seq });
      events.push({ seq: s.seq, at, type: 'delivery', label: `${who}: ${status ?? '?'}` });
    } else if (type === 'CANCEL') {
      events.push({ seq: s.seq, at, type: 'cancel', label: str(ev.by) ?? s.actor.id });
    } else {
      events.push({ seq: s.seq, at, type, label: str(ev.by) ?? s.actor.id });
    }
    // What went out.
    for (const e of s.effects) {
      const fx = rec(e);
      if (fx.type === 'notify') for (const r of names(fx.recipients)) lane(r).push({ kind: 'sent', at, seq: s.seq });
      else if (fx.type === 'withdraw')
        for (const r of names(fx.recipients)) lane(r).push({ kind: 'withdrawn', at, seq: s.seq });
      else if (fx.type === 'timer.set')
        timers.push({
          sendId: str(fx.sendId) ?? '?',
          setAt: at,
          setSeq: s.seq,
          dueAt: num(fx.dueAt) ?? at + (num(fx.delayMs) ?? 0),
          delayMs: num(fx.delayMs) ?? null,
        });
      else if (fx.type === 'timer.cancel') {
        const i = timers.findLastIndex(
          (x) => x.sendId === str(fx.sendId) && x.firedAt === undefined && x.cancelledAt === undefined,
        );
        if (i >= 0) timers[i] = { ...timers[i]!, cancelledAt: at, cancelledSeq: s.seq };
      }
    }
  }

  // The alarm's own timestamps, for what the protocol does not record (e.g. a delivery receipt).
  for (const r of alarm.recipients) {
    const l = lane(r.recipient);
    const add = (kind: MarkerKind, iso: string | null) => {
      if (iso !== null && !l.some((m) => m.kind === kind)) l.push({ kind, at: Date.parse(iso), seq: undefined });
    };
    add('sent', r.sentAt);
    add('delivered', r.deliveredAt);
    if (r.response) add(r.response === 'accept' ? 'accepted' : 'rejected', r.respondedAt);
    if (r.status === 'failed') add('failed', r.respondedAt ?? r.deliveredAt ?? r.sentAt);
  }

  return {
    start,
    end,
    states,
    recipients: [...lanes].map(([name, markers]) => ({ name, markers: markers.sort((a, b) => a.at - b.at) })),
    timers,
    events,
  };
}

/** Where `at` lies on the axis, in percent (0–100); a zero-length axis puts everything at 0. */
export const position = (t: Timeline, at: number): number =>
  t.end > t.start ? Math.min(100, Math.max(0, ((at - t.start) / (t.end - t.start)) * 100)) : 0;

/** The state the alarm was in after step `seq`. */
export const stateAfter = (steps: readonly ProtocolStep[], seq: number): string | undefined =>
  steps.find((s) => s.seq === seq)?.toState;

/** A short text for an effect: `notify A: alice, bob`, `timer.set … (60 s)`. */
export function effectText(e: unknown): string {
  const fx = rec(e);
  const type = str(fx.type) ?? '?';
  if (type === 'notify') return `notify ${str(fx.group) ?? ''}: ${names(fx.recipients).join(', ')}`.trim();
  if (type === 'withdraw') return `withdraw ${names(fx.recipients).join(', ')}`;
  if (type === 'timer.set') {
    const d = num(fx.delayMs);
    return `timer.set ${str(fx.sendId) ?? ''}${d === undefined ? '' : ` (${d / 1000} s)`}`;
  }
  if (type === 'timer.cancel') return `timer.cancel ${str(fx.sendId) ?? ''}`;
  const rest = Object.fromEntries(Object.entries(fx).filter(([k]) => k !== 'type'));
  return Object.keys(rest).length ? `${type} ${JSON.stringify(rest)}` : type;
}

/**
 * The leaf state paths of a recorded state: `levelA` as it is, XState's JSON state value
 * (`{"escalation":"levelB"}`) as dotted paths (`escalation.levelB`), one per parallel region.
 * Anything else that does not parse stays as it is.
 */
export function statePaths(state: string): string[] {
  if (!state.startsWith('{')) return [state];
  let value: unknown;
  try {
    value = JSON.parse(state);
  } catch {
    return [state];
  }
  const walk = (v: unknown, prefix: string): string[] =>
    typeof v === 'string'
      ? [prefix + v]
      : Object.entries(rec(v)).flatMap(([k, child]) =>
          typeof child === 'string' || Object.keys(rec(child)).length > 0
            ? walk(child, `${prefix}${k}.`)
            : [prefix + k],
        );
  const paths = walk(value, '');
  return paths.length > 0 ? paths : [state];
}

/**
 * The event of a step as the plan names it: a fired timer's XState event
 * (`xstate.after.levelTimeout.escalate.levelA`) as `after levelTimeout`, like the plan's chart
 * labels its `after` transitions; any other event by its type.
 */
export function transitionEvent(step: ProtocolStep): string {
  const type = eventType(step);
  const delay = type.startsWith('xstate.after.') ? type.slice('xstate.after.'.length).split('.')[0] : undefined;
  return delay ? `after ${delay}` : type;
}

/** The id of the partial definition `visitedPlan` builds (its transitions target `#visited.a.b`). */
export const VISITED_PLAN_ID = 'visited';

interface PartialState {
  type?: 'parallel' | 'final';
  initial?: string;
  on?: Record<string, { target: string }[]>;
  states?: Record<string, PartialState>;
}

/**
 * A plan definition of only what the protocol shows — the states the alarm went through (nested
 * as recorded, in the order first reached), the transitions it took between them (labelled with
 * their events), the states it was raised into as initial, and the state an ended alarm ended in
 * as final — for the statechart when the plan itself may not be read. Self-transitions draw no
 * edge. Plan-definition JSON, as `planChart` reads it.
 */
export function visitedPlan(steps: readonly ProtocolStep[], ended: boolean): PartialState & { id: string } {
  const root: PartialState & { id: string } = { id: VISITED_PLAN_ID };
  const sorted = [...steps].sort((a, b) => a.seq - b.seq);
  /** The node of `path`, created with its parents; `initial` marks each level's key as initial. */
  const node = (path: string, initial: boolean): PartialState => {
    let at: PartialState = root;
    for (const key of path.split('.')) {
      const states = (at.states ??= {});
      if (initial && at.type !== 'parallel') at.initial ??= key;
      at = states[key] ??= {};
    }
    return at;
  };
  /** Parallel regions: a level of the JSON state value with more than one key. */
  const markParallel = (value: unknown, at: PartialState) => {
    for (const [k, v] of Object.entries(rec(value))) {
      const child = at.states?.[k];
      if (!child) continue;
      if (Object.keys(rec(v)).length > 1) {
        child.type = 'parallel';
        delete child.initial;
      }
      markParallel(v, child);
    }
  };
  sorted.forEach((s, i) => {
    const to = statePaths(s.toState);
    for (const p of to) node(p, i === 0);
    if (s.toState.startsWith('{'))
      try {
        const value: unknown = JSON.parse(s.toState);
        markParallel(value, root);
        if (i === 0 && Object.keys(rec(value)).length > 1) delete root.initial;
      } catch {
        /* not JSON after all: a plain path */
      }
    if (s.fromState === null || s.fromState === s.toState) return;
    const from = statePaths(s.fromState);
    for (const p of from) node(p, false);
    const left = from.filter((p) => !to.includes(p));
    const entered = to.filter((p) => !from.includes(p));
    const event = transitionEvent(s);
    for (const source of left.length ? left : from)
      for (const target of entered.length ? entered : to) {
        const on = (node(source, false).on ??= {});
        const list = (on[event] ??= []);
        const ref = `#${VISITED_PLAN_ID}.${target}`;
        if (!list.some((t) => t.target === ref)) list.push({ target: ref });
      }
  });
  const last = sorted[sorted.length - 1];
  if (ended && last)
    for (const p of statePaths(last.toState)) {
      const n = node(p, false);
      if (!n.states) n.type = 'final';
    }
  return root;
}

/** Whether a plan definition has any states to draw (else the timeline draws the visited ones). */
export const hasStates = (definition: unknown): boolean => Object.keys(rec(rec(definition).states)).length > 0;
