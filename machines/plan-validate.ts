/**
 * The plan validator: checks a plan's statechart JSON before anything else sees it and lists
 * every problem with its JSON pointer (RFC 6901) and a reason, in document order. XState is
 * lenient with bad JSON (an unknown action does nothing, an unknown delay fires at once, an
 * `always` loop hangs; reference/stack.md §1), so this is not.
 *
 * Checks, in this order:
 * 1. the input is a JSON object of at most PLAN_LIMITS.maxBytes, nested at most maxJsonDepth,
 *    with no `__proto__` / `constructor` / `prototype` key anywhere;
 * 2. the shape of the safe subset (plan-schema.ts): unknown keys at their exact pointer, `id`,
 *    `initial`, `type`, state names, transitions, action/guard/delay names, delay bounds,
 *    params against registry-params.ts, references against the sets `opts` gives (`notify` and
 *    `nobodyPresent` groups, `notify` profiles, devices and contacts, `forward` alarm types),
 *    `{alarm.<field>}` placeholders of text templates, depth and count of states, `context`
 *    keys the runtime sets;
 * 3. targets: a sibling name (`name`, `name.child`), a child of the source (`.child`), or an
 *    absolute `#<plan id>.<path>` (nested states cannot have ids of their own);
 * 4. the graph: unreachable states, dead ends (non-final atomic states with no transition out,
 *    counting the transitions of ancestors), `always` loops (unguarded: an error; guarded: a
 *    warning); no transition out of a final state (a plan that has ended takes no event at all:
 *    planStep returns a done snapshot unchanged, so the root's `on` cannot revive it);
 * 5. only when all of the above pass: `createPlanMachine` + `planStart` with a dummy input,
 *    reporting XState's own complaint at pointer ''.
 */
import { MAX_ITERATIONS, createPlanMachine, type PlanDefinition } from './plan-machine.ts';
import { planStart } from './plan-step.ts';
import type { PlanInput } from './plan-context.ts';
import { registeredNames } from './registry.ts';
import { ALARM_PLACEHOLDERS, unknownPlaceholders } from './alarm-text.ts';
import { checkParams, escapePointer, paramSpecs, type Problem, type RegisteredSpec } from './registry-params.ts';
import { PLAN_LIMITS, STATE_KEY_PATTERN } from './plan-schema.ts';

export type { Problem } from './registry-params.ts';

export type ValidationResult =
  { ok: true; plan: PlanDefinition; warnings: Problem[] } | { ok: false; problems: Problem[]; warnings: Problem[] };

/** Known names; each set, when given, is checked; when absent, references to it are not. */
export interface ValidateOptions {
  /** Known notification groups: `notify` and `nobodyPresent` must name one of them. */
  readonly groups?: readonly string[];
  /** Known notification profiles: `notify`'s `profile`. */
  readonly profiles?: readonly string[];
  /** Known contacts: `notify`'s `contact`. */
  readonly contacts?: readonly string[];
  /** Known devices: `notify`'s `device`. */
  readonly devices?: readonly string[];
  /** Known alarm types: `forward`'s `alarmType`. */
  readonly alarmTypes?: readonly string[];
}

/** Which string params of which name refer to which set of ValidateOptions, and its noun. */
const REFERENCES: readonly {
  kind: Kind;
  name: string;
  param: string;
  set: keyof ValidateOptions;
  noun: string;
}[] = [
  { kind: 'actions', name: 'notify', param: 'group', set: 'groups', noun: 'notification group' },
  { kind: 'actions', name: 'notify', param: 'profile', set: 'profiles', noun: 'notification profile' },
  { kind: 'actions', name: 'notify', param: 'device', set: 'devices', noun: 'device' },
  { kind: 'actions', name: 'notify', param: 'contact', set: 'contacts', noun: 'contact' },
  { kind: 'actions', name: 'forward', param: 'alarmType', set: 'alarmTypes', noun: 'alarm type' },
  { kind: 'guards', name: 'nobodyPresent', param: 'group', set: 'groups', noun: 'notification group' },
];

/** Text params that are `{alarm.<field>}` templates. */
const TEMPLATES: readonly { kind: Kind; name: string; param: string }[] = [
  { kind: 'actions', name: 'notify', param: 'text' },
  { kind: 'actions', name: 'forward', param: 'text' },
];

type Obj = Record<string, unknown>;
type Kind = 'actions' | 'guards';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const STATE_KEY = new RegExp(STATE_KEY_PATTERN);
/** As plan-schema.ts says: a description is a string of at most 2000 characters. */
const MAX_DESCRIPTION = 2000;
const DESCRIPTION_RULE = `description must be a string of at most ${MAX_DESCRIPTION} characters`;
const isDescription = (v: unknown): boolean => typeof v === 'string' && v.length <= MAX_DESCRIPTION;

const ROOT_KEYS = ['id', 'context', 'description', 'initial', 'states', 'on', 'after', 'always', 'entry', 'exit'];
const STATE_KEYS = ['type', 'description', 'initial', 'states', 'on', 'after', 'always', 'entry', 'exit'];
const TRANSITION_KEYS = ['target', 'guard', 'actions', 'reenter', 'description'];
const RUNTIME_CONTEXT_KEYS = new Set(['alarm', 'groups', 'params', 'presence', 'round', 'notifications', 'current']);
const DELAY_MS = /^[0-9]+$/;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k);
const at = (pointer: string, ...segments: (string | number)[]) =>
  pointer + segments.map((s) => `/${escapePointer(s)}`).join('');
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);
const specOf = (kind: Kind, name: string): RegisteredSpec | undefined =>
  (paramSpecs[kind] as Record<string, RegisteredSpec>)[name];

interface StateInfo {
  readonly key: string;
  readonly path: readonly string[];
  readonly pointer: string;
  readonly parent: StateInfo | undefined;
  readonly children: Map<string, StateInfo>;
  kind: 'atomic' | 'compound' | 'parallel' | 'final';
  /** The initial child, when `initial` names one. */
  initial: StateInfo | undefined;
  /** `initial` is missing or bad (reported); its children's reachability is not reported. */
  badInitial: boolean;
  /** Beyond the depth limit: kept so targets resolve, but not checked further. */
  truncated: boolean;
  /** Has entry or exit actions. */
  effects: boolean;
  readonly transitions: TransitionInfo[];
}

interface TransitionInfo {
  readonly kind: 'on' | 'after' | 'always';
  readonly pointer: string;
  guarded: boolean;
  /** Has actions: taking it may change the snapshot even when the state stays. */
  changes: boolean;
  reenter: boolean;
  readonly rawTargets: { value: string; pointer: string }[];
  /** Resolved targets; undefined where a target did not resolve (reported). */
  targets: (StateInfo | undefined)[];
}

/** Validates a plan definition; never throws. */
export function validatePlan(def: unknown, opts: ValidateOptions = {}): ValidationResult {
  try {
    return validate(def, opts);
  } catch (err) {
    return {
      ok: false,
      problems: [{ pointer: '', reason: `validator failed: ${(err as Error).message}` }],
      warnings: [],
    };
  }
}

function validate(def: unknown, opts: ValidateOptions): ValidationResult {
  if (!isObj(def)) return fail([{ pointer: '', reason: `a plan must be a JSON object, not ${describe(def)}` }]);

  let text: string;
  try {
    text = JSON.stringify(def);
  } catch (err) {
    return fail([{ pointer: '', reason: `not JSON-serialisable: ${(err as Error).message}` }]);
  }
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > PLAN_LIMITS.maxBytes) {
    return fail([{ pointer: '', reason: `too large: ${bytes} bytes serialised, at most ${PLAN_LIMITS.maxBytes}` }]);
  }

  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const order = scanJson(def, problems);

  // 2. Shape.
  const known = (set: keyof ValidateOptions) => (opts[set] === undefined ? undefined : new Set(opts[set]));
  const sets = {
    groups: known('groups'),
    profiles: known('profiles'),
    contacts: known('contacts'),
    devices: known('devices'),
    alarmTypes: known('alarmTypes'),
  };
  const usedGroups = new Set<string>();
  const states: StateInfo[] = [];

  const ref = (item: unknown, p: string, kind: Kind) => {
    const noun = kind === 'actions' ? 'action' : 'guard';
    let name: unknown;
    let params: unknown;
    let hasParams = false;
    if (typeof item === 'string') name = item;
    else if (isObj(item)) {
      for (const k of Object.keys(item)) {
        if (!FORBIDDEN.has(k) && k !== 'type' && k !== 'params')
          problems.push({ pointer: at(p, k), reason: `unknown key '${k}' in ${noun} (allowed: type, params)` });
      }
      if (!has(item, 'type')) {
        problems.push({ pointer: p, reason: `missing '${noun}' name: {"type": "<name>", "params": {...}}` });
        return;
      }
      name = own(item, 'type');
      hasParams = has(item, 'params');
      params = own(item, 'params');
      if (typeof name !== 'string') {
        problems.push({ pointer: at(p, 'type'), reason: `${noun} name must be a string, not ${describe(name)}` });
        return;
      }
    } else {
      problems.push({
        pointer: p,
        reason: `${noun} must be a registered name or {type, params}, not ${describe(item)}`,
      });
      return;
    }
    const n = name as string;
    if (!registeredNames[kind].has(n)) {
      problems.push({
        pointer: typeof item === 'string' ? p : at(p, 'type'),
        reason: `unknown ${noun} '${n}' (registered: ${[...registeredNames[kind]].join(', ')})`,
      });
      return;
    }
    const spec = specOf(kind, n);
    if (spec === undefined) return;
    if (hasParams) problems.push(...checkParams(spec.params, params, at(p, 'params')));
    else {
      for (const q of checkParams(spec.params, {}, p))
        problems.push({ pointer: q.pointer, reason: `${noun} '${n}' needs params: ${q.reason}` });
    }
    if (kind === 'guards' && n === 'inTimeWindow' && isObj(params) && typeof own(params, 'timeZone') === 'string') {
      const zone = own(params, 'timeZone') as string;
      if (!isTimeZone(zone))
        problems.push({ pointer: at(p, 'params', 'timeZone'), reason: `unknown IANA time zone '${zone}'` });
    }
    if (!isObj(params)) return;
    for (const r of REFERENCES) {
      const value = own(params, r.param);
      if (r.kind !== kind || r.name !== n || typeof value !== 'string') continue;
      if (r.set === 'groups') usedGroups.add(value);
      if (sets[r.set] !== undefined && !sets[r.set]!.has(value))
        problems.push({ pointer: at(p, 'params', r.param), reason: `unknown ${r.noun} '${value}'` });
    }
    for (const t of TEMPLATES) {
      const value = own(params, t.param);
      if (t.kind !== kind || t.name !== n || typeof value !== 'string') continue;
      const unknown = unknownPlaceholders(value);
      if (unknown.length > 0)
        problems.push({
          pointer: at(p, 'params', t.param),
          reason: `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${ALARM_PLACEHOLDERS.join(', ')})`,
        });
    }
  };

  const refs = (v: unknown, p: string, kind: Kind) => {
    if (Array.isArray(v)) v.forEach((item, i) => ref(item, at(p, i), kind));
    else ref(v, p, kind);
  };

  const transitions = (v: unknown, p: string, kind: TransitionInfo['kind'], source: StateInfo) => {
    const list = Array.isArray(v) ? v : [v];
    list.forEach((t, i) => {
      const tp = Array.isArray(v) ? at(p, i) : p;
      const info: TransitionInfo = {
        kind,
        pointer: tp,
        guarded: false,
        changes: false,
        reenter: false,
        rawTargets: [],
        targets: [],
      };
      if (typeof t === 'string') info.rawTargets.push({ value: t, pointer: tp });
      else if (isObj(t)) {
        for (const k of Object.keys(t)) {
          if (!FORBIDDEN.has(k) && !TRANSITION_KEYS.includes(k))
            problems.push({
              pointer: at(tp, k),
              reason: `unknown key '${k}' in transition (allowed: ${TRANSITION_KEYS.join(', ')})`,
            });
        }
        if (has(t, 'target')) {
          const target = own(t, 'target');
          if (typeof target === 'string') info.rawTargets.push({ value: target, pointer: at(tp, 'target') });
          else if (Array.isArray(target) && target.length > 0 && target.every((x) => typeof x === 'string'))
            target.forEach((x, j) => info.rawTargets.push({ value: x as string, pointer: at(tp, 'target', j) }));
          else
            problems.push({
              pointer: at(tp, 'target'),
              reason: `target must be a state name or a non-empty list of them, not ${describe(target)}`,
            });
        }
        if (has(t, 'guard')) {
          const guard = own(t, 'guard');
          if (Array.isArray(guard))
            problems.push({ pointer: at(tp, 'guard'), reason: 'guard must be one name or {type, params}, not a list' });
          else ref(guard, at(tp, 'guard'), 'guards');
          info.guarded = true;
        }
        if (has(t, 'actions')) {
          const acts = own(t, 'actions');
          refs(acts, at(tp, 'actions'), 'actions');
          if (!Array.isArray(acts) || acts.length > 0) info.changes = true;
        }
        if (own(t, 'reenter') === true) info.reenter = true;
        if (has(t, 'reenter') && typeof own(t, 'reenter') !== 'boolean')
          problems.push({ pointer: at(tp, 'reenter'), reason: 'reenter must be a boolean' });
        if (has(t, 'description') && !isDescription(own(t, 'description')))
          problems.push({ pointer: at(tp, 'description'), reason: DESCRIPTION_RULE });
      } else {
        problems.push({ pointer: tp, reason: `a transition must be a target or an object, not ${describe(t)}` });
        return;
      }
      source.transitions.push(info);
    });
  };

  const state = (node: Obj, info: StateInfo, depth: number) => {
    const root = info.parent === undefined;
    const p = info.pointer;
    const allowed = root ? ROOT_KEYS : STATE_KEYS;
    for (const k of Object.keys(node)) {
      if (FORBIDDEN.has(k) || allowed.includes(k)) continue;
      const hint = k === 'invoke' || k === 'src' ? ': plans cannot run actors or code' : '';
      problems.push({
        pointer: at(p, k),
        reason: `unknown key '${k}'${hint} (allowed: ${allowed.join(', ')})`,
      });
    }
    if (has(node, 'description') && !isDescription(own(node, 'description')))
      problems.push({ pointer: at(p, 'description'), reason: DESCRIPTION_RULE });

    const type = own(node, 'type');
    if (has(node, 'type') && type !== 'final' && type !== 'parallel')
      problems.push({
        pointer: at(p, 'type'),
        reason: `type must be 'final' or 'parallel', not ${JSON.stringify(type)}`,
      });

    // Children.
    const statesVal = own(node, 'states');
    if (has(node, 'states')) {
      if (!isObj(statesVal))
        problems.push({ pointer: at(p, 'states'), reason: `states must be an object, not ${describe(statesVal)}` });
      else if (Object.keys(statesVal).length === 0)
        problems.push({ pointer: at(p, 'states'), reason: 'states must not be empty' });
      else {
        for (const key of Object.keys(statesVal)) {
          if (FORBIDDEN.has(key)) continue;
          const cp = at(p, 'states', key);
          if (!STATE_KEY.test(key)) {
            problems.push({ pointer: cp, reason: `state name '${key}' must match ${STATE_KEY_PATTERN}` });
            continue;
          }
          const child: StateInfo = {
            key,
            path: [...info.path, key],
            pointer: cp,
            parent: info,
            children: new Map(),
            kind: 'atomic',
            initial: undefined,
            badInitial: false,
            truncated: false,
            effects: false,
            transitions: [],
          };
          info.children.set(key, child);
          states.push(child);
          const childNode = statesVal[key];
          if (depth + 1 > PLAN_LIMITS.maxStateDepth) {
            child.truncated = true;
            problems.push({ pointer: cp, reason: `too deep: states nest at most ${PLAN_LIMITS.maxStateDepth} levels` });
          } else if (!isObj(childNode)) {
            child.truncated = true;
            problems.push({ pointer: cp, reason: `a state must be an object, not ${describe(childNode)}` });
          } else state(childNode, child, depth + 1);
        }
      }
    } else if (root) problems.push({ pointer: p, reason: "missing 'states'" });

    // Kind and initial.
    const initial = own(node, 'initial');
    const hasChildren = info.children.size > 0 || (isObj(statesVal) && Object.keys(statesVal).length > 0);
    if (type === 'final') {
      info.kind = 'final';
      for (const k of ['states', 'initial', 'on', 'after', 'always'])
        if (has(node, k)) problems.push({ pointer: at(p, k), reason: `a final state has no '${k}'` });
    } else if (type === 'parallel') {
      info.kind = 'parallel';
      if (has(node, 'initial'))
        problems.push({ pointer: at(p, 'initial'), reason: 'a parallel state has no initial: all its regions start' });
      if (!hasChildren) problems.push({ pointer: p, reason: 'a parallel state needs child states (its regions)' });
    } else if (hasChildren) {
      info.kind = 'compound';
      if (!has(node, 'initial')) {
        info.badInitial = true;
        problems.push({ pointer: p, reason: "missing 'initial': a state with child states must name the first one" });
      } else if (typeof initial !== 'string') {
        info.badInitial = true;
        problems.push({ pointer: at(p, 'initial'), reason: `initial must be a state name, not ${describe(initial)}` });
      } else if (!info.children.has(initial)) {
        info.badInitial = true;
        problems.push({
          pointer: at(p, 'initial'),
          reason: `initial '${initial}' names no child state (children: ${[...info.children.keys()].join(', ')})`,
        });
      } else info.initial = info.children.get(initial);
    } else if (has(node, 'initial')) {
      problems.push({ pointer: at(p, 'initial'), reason: 'initial on a state without child states' });
    }

    // Actions and transitions (document order of the keys).
    for (const k of Object.keys(node)) {
      const v = node[k];
      const kp = at(p, k);
      if (k === 'entry' || k === 'exit') {
        refs(v, kp, 'actions');
        if (!Array.isArray(v) || v.length > 0) info.effects = true;
      } else if (k === 'always' && info.kind !== 'final') transitions(v, kp, 'always', info);
      else if (k === 'on' && info.kind !== 'final') {
        if (!isObj(v)) {
          problems.push({ pointer: kp, reason: `on must be an object of event names, not ${describe(v)}` });
          continue;
        }
        for (const ev of Object.keys(v)) {
          if (FORBIDDEN.has(ev)) continue;
          const ep = at(kp, ev);
          if (ev === '' || ev.length > 128)
            problems.push({ pointer: ep, reason: 'event names have 1..128 characters' });
          else if (ev.startsWith('xstate.'))
            problems.push({ pointer: ep, reason: `event name '${ev}' is reserved ('xstate.' prefix)` });
          else if (ev === '*' || ev.endsWith('.*'))
            problems.push({ pointer: ep, reason: `wildcard event '${ev}' is not supported: name each event` });
          transitions(v[ev], ep, 'on', info);
        }
      } else if (k === 'after' && info.kind !== 'final') {
        if (!isObj(v)) {
          problems.push({ pointer: kp, reason: `after must be an object of delays, not ${describe(v)}` });
          continue;
        }
        for (const d of Object.keys(v)) {
          if (FORBIDDEN.has(d)) continue;
          const dp = at(kp, d);
          if (DELAY_MS.test(d)) {
            const ms = Number(d);
            if (!(ms > 0 && ms <= PLAN_LIMITS.maxDelayMs))
              problems.push({
                pointer: dp,
                reason: `delay ${d} ms is out of bounds: 0 < delay <= ${PLAN_LIMITS.maxDelayMs} (7 days)`,
              });
          } else if (!registeredNames.delays.has(d)) {
            problems.push({
              pointer: dp,
              reason: `unknown delay '${d}': integer milliseconds or a registered delay (${[...registeredNames.delays].join(', ')})`,
            });
          }
          transitions(v[d], dp, 'after', info);
        }
      }
    }
  };

  const rootInfo: StateInfo = {
    key: '',
    path: [],
    pointer: '',
    parent: undefined,
    children: new Map(),
    kind: 'compound',
    initial: undefined,
    badInitial: false,
    truncated: false,
    effects: false,
    transitions: [],
  };

  // Root-only keys.
  const id = own(def, 'id');
  if (!has(def, 'id')) problems.push({ pointer: '', reason: "missing 'id'" });
  else if (typeof id !== 'string' || !STATE_KEY.test(id) || id.length > 64)
    problems.push({ pointer: '/id', reason: `id must be a string of 1..64 characters matching ${STATE_KEY_PATTERN}` });
  if (has(def, 'type')) problems.push({ pointer: '/type', reason: "the plan's root has no type (use a child state)" });
  if (has(def, 'context')) {
    const ctx = own(def, 'context');
    if (!isObj(ctx)) problems.push({ pointer: '/context', reason: `context must be an object, not ${describe(ctx)}` });
    else
      for (const k of Object.keys(ctx))
        if (RUNTIME_CONTEXT_KEYS.has(k))
          problems.push({ pointer: at('/context', k), reason: `context key '${k}' is set by the runtime` });
  }
  state(def, rootInfo, 0);
  if (states.length > PLAN_LIMITS.maxStates)
    problems.push({ pointer: '', reason: `too large: ${states.length} states, at most ${PLAN_LIMITS.maxStates}` });

  // 3. Targets.
  const planId = typeof id === 'string' ? id : undefined;
  const descend = (from: StateInfo, segments: readonly string[]): StateInfo | undefined => {
    let node: StateInfo | undefined = from;
    for (const s of segments) node = node?.children.get(s);
    return node;
  };
  const all = [rootInfo, ...states];
  for (const s of all) {
    for (const t of s.transitions) {
      t.targets = t.rawTargets.map(({ value, pointer }) => {
        let found: StateInfo | undefined;
        let hint = "targets are sibling names ('name', 'name.child'), '.child' or '#<plan id>.<path>'";
        if (value.startsWith('#')) {
          const [head, ...rest] = value.slice(1).split('.');
          if (head === planId) found = descend(rootInfo, rest);
          else hint = `only '#${planId ?? '<plan id>'}.<path>' is supported: nested states have no ids`;
        } else if (value.startsWith('.')) {
          found = descend(s, value.slice(1).split('.'));
        } else if (s.parent === undefined) {
          hint = `a target from the root must start with '.' (did you mean '.${value}'?)`;
        } else {
          found = descend(s.parent, value.split('.'));
        }
        if (found === undefined || found === rootInfo) {
          const from = s.parent === undefined ? 'the root' : `state '${s.path.join('.')}'`;
          problems.push({ pointer, reason: `unknown target '${value}' from ${from}: ${hint}` });
          return undefined;
        }
        return found;
      });
    }
  }

  // Several targets of one transition must lie in different regions of a parallel state.
  const ancestorsOf = (x: StateInfo): StateInfo[] => {
    const out: StateInfo[] = [];
    for (let a: StateInfo | undefined = x; a !== undefined; a = a.parent) out.push(a);
    return out;
  };
  for (const s of all) {
    for (const t of s.transitions) {
      t.targets.forEach((x, j) => {
        if (x === undefined) return;
        for (let i = 0; i < j; i++) {
          const y = t.targets[i];
          if (y === undefined) continue;
          const ys = new Set(ancestorsOf(y));
          const lca: StateInfo | undefined = ancestorsOf(x).find((a) => ys.has(a));
          if (lca === x || lca === y || lca?.kind !== 'parallel') {
            problems.push({
              pointer: t.rawTargets[j]!.pointer,
              reason: `targets '${t.rawTargets[i]!.value}' and '${t.rawTargets[j]!.value}' cannot both be active: several targets must lie in different regions of a parallel state`,
            });
            t.targets[j] = undefined;
            return;
          }
        }
      });
    }
  }

  // 4. Graph: reachability.
  const reached = new Set<StateInfo>();
  const entered = new Set<StateInfo>();
  const queue: StateInfo[] = [];
  const markActive = (s: StateInfo): void => {
    if (reached.has(s)) return;
    reached.add(s);
    queue.push(s);
    if (s.parent !== undefined) {
      markActive(s.parent);
      if (s.parent.kind === 'parallel') for (const c of s.parent.children.values()) if (c !== s) enter(c);
    }
  };
  const enter = (s: StateInfo): void => {
    if (entered.has(s)) return;
    entered.add(s);
    markActive(s);
    if (s.kind === 'compound' && s.initial !== undefined) enter(s.initial);
    if (s.kind === 'parallel') for (const c of s.children.values()) enter(c);
  };
  enter(rootInfo);
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (const t of s.transitions) for (const target of t.targets) if (target !== undefined) enter(target);
  }
  for (const s of states) {
    if (reached.has(s) || s.parent === undefined || !reached.has(s.parent) || s.parent.badInitial) continue;
    problems.push({
      pointer: s.pointer,
      reason: `unreachable: no transition from the initial state leads to '${s.key}'`,
    });
  }

  // Dead ends.
  for (const s of states) {
    if (s.kind !== 'atomic' || s.truncated) continue;
    let way = false;
    for (let a: StateInfo | undefined = s; a !== undefined && !way; a = a.parent) {
      for (const t of a.transitions) {
        if (t.rawTargets.length > 0 && t.targets.some((x) => x !== s)) way = true;
      }
    }
    if (!way)
      problems.push({
        pointer: s.pointer,
        reason: `dead end: '${s.key}' is not final and has no transition out (add one or make it "type": "final")`,
      });
  }

  // `always` loops.
  alwaysLoops(all, problems, warnings);

  // 5. XState itself.
  if (problems.length === 0) {
    try {
      const machine = createPlanMachine(def as PlanDefinition);
      planStart(machine, dummyInput([...new Set([...(opts.groups ?? []), ...usedGroups])]));
    } catch (err) {
      problems.push({ pointer: '', reason: `XState rejects the plan: ${(err as Error)?.message ?? String(err)}` });
    }
  }

  const sorted = (list: Problem[]) => sortByDocument(list, order);
  if (problems.length > 0) return { ok: false, problems: sorted(problems), warnings: sorted(warnings) };
  return { ok: true, plan: def as PlanDefinition, warnings: sorted(warnings) };
}

function fail(problems: Problem[]): ValidationResult {
  return { ok: false, problems, warnings: [] };
}

/**
 * One iterative pass over every JSON value: the pre-order index of each pointer (document
 * order), forbidden keys, non-JSON values and excessive nesting.
 */
function scanJson(def: unknown, problems: Problem[]): Map<string, number> {
  const order = new Map<string, number>();
  const stack: { v: unknown; p: string; depth: number }[] = [{ v: def, p: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, p, depth } = stack.pop()!;
    order.set(p, order.size);
    if (depth > PLAN_LIMITS.maxJsonDepth) {
      problems.push({ pointer: p, reason: `too deep: JSON nests at most ${PLAN_LIMITS.maxJsonDepth} levels` });
      continue;
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) problems.push({ pointer: p, reason: 'not a JSON number' });
      continue;
    }
    if (typeof v !== 'object') {
      problems.push({ pointer: p, reason: `not a JSON value: ${typeof v}` });
      continue;
    }
    const children: { v: unknown; p: string; depth: number }[] = [];
    if (Array.isArray(v)) v.forEach((x, i) => children.push({ v: x, p: at(p, i), depth: depth + 1 }));
    else {
      for (const k of Object.keys(v)) {
        const kp = at(p, k);
        if (FORBIDDEN.has(k)) {
          order.set(kp, order.size);
          problems.push({ pointer: kp, reason: `key '${k}' is not allowed (prototype pollution)` });
          continue;
        }
        children.push({ v: (v as Obj)[k], p: kp, depth: depth + 1 });
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return order;
}

/** Stable sort by the document position of each pointer (or its nearest existing ancestor). */
function sortByDocument(list: Problem[], order: Map<string, number>): Problem[] {
  const rank = (pointer: string): number => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const r = order.get(p);
      if (r !== undefined) return r;
      if (p === '') return 0;
    }
  };
  return list
    .map((problem, i) => ({ problem, i, r: rank(problem.pointer) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.problem);
}

/**
 * Cycles among `always` transitions. Taking an `always` transition to T leaves T, its
 * ancestors and T's initial descendants active, and the `always` transitions of all of them are
 * evaluated next; a transition without a target leaves its source active. XState repeats
 * `always` transitions only while the snapshot changes, so a transition that keeps its source
 * active counts as an edge back to it only when it has actions (or re-enters a state with entry or
 * exit actions). A cycle whose every
 * edge is unguarded always loops (an error; at runtime XState stops it at MAX_ITERATIONS
 * microsteps); a cycle through guards may loop (a warning).
 */
function alwaysLoops(all: StateInfo[], problems: Problem[], warnings: Problem[]): void {
  const withAlways = all.filter((s) => s.transitions.some((t) => t.kind === 'always'));
  if (withAlways.length === 0) return;
  const activeAfter = (t: StateInfo): StateInfo[] => {
    const out: StateInfo[] = [];
    for (let a: StateInfo | undefined = t; a !== undefined; a = a.parent) out.push(a);
    const down = (s: StateInfo) => {
      if (s.kind === 'compound' && s.initial !== undefined) {
        out.push(s.initial);
        down(s.initial);
      } else if (s.kind === 'parallel')
        for (const c of s.children.values()) {
          out.push(c);
          down(c);
        }
    };
    down(t);
    return out;
  };
  const nodes = new Set(withAlways);
  const edges = new Map<StateInfo, { to: StateInfo; guarded: boolean }[]>();
  for (const s of withAlways) {
    const list: { to: StateInfo; guarded: boolean }[] = [];
    for (const t of s.transitions) {
      if (t.kind !== 'always') continue;
      const after = t.rawTargets.length === 0 ? [s] : t.targets.flatMap((x) => (x === undefined ? [] : activeAfter(x)));
      // Staying in `s` with nothing changed leaves the snapshot as it was, and XState stops there.
      const changes = t.changes || (t.reenter && s.effects);
      for (const to of after) if (nodes.has(to) && (to !== s || changes)) list.push({ to, guarded: t.guarded });
    }
    edges.set(s, list);
  }
  const sccs = (unguardedOnly: boolean, within: Set<StateInfo>) => {
    // Tarjan; the graph is at most PLAN_LIMITS.maxStates + 1 nodes.
    let index = 0;
    const idx = new Map<StateInfo, number>();
    const low = new Map<StateInfo, number>();
    const stack: StateInfo[] = [];
    const onStack = new Set<StateInfo>();
    const out: { members: StateInfo[]; cyclic: boolean }[] = [];
    const next = (s: StateInfo) =>
      (edges.get(s) ?? []).filter((e) => within.has(e.to) && (!unguardedOnly || !e.guarded)).map((e) => e.to);
    const visit = (s: StateInfo) => {
      idx.set(s, index);
      low.set(s, index++);
      stack.push(s);
      onStack.add(s);
      for (const w of next(s)) {
        if (!idx.has(w)) {
          visit(w);
          low.set(s, Math.min(low.get(s)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(s, Math.min(low.get(s)!, idx.get(w)!));
      }
      if (low.get(s) === idx.get(s)) {
        const members: StateInfo[] = [];
        let w: StateInfo;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          members.push(w);
        } while (w !== s);
        out.push({ members, cyclic: members.length > 1 || next(s).includes(s) });
      }
    };
    for (const s of within) if (!idx.has(s)) visit(s);
    return out.filter((c) => c.cyclic);
  };
  const docOrder = new Map(all.map((s, i) => [s, i]));
  const name = (s: StateInfo) => (s.parent === undefined ? '(root)' : s.path.join('.'));
  for (const { members } of sccs(false, nodes)) {
    members.sort((a, b) => docOrder.get(a)! - docOrder.get(b)!);
    const first = members[0]!;
    const pointer = at(first.pointer, 'always');
    const list = members.map(name).join(', ');
    if (sccs(true, new Set(members)).length > 0)
      problems.push({
        pointer,
        reason: `always loop: unguarded 'always' transitions cycle through ${list} (would run ${MAX_ITERATIONS} microsteps, then fail)`,
      });
    else
      warnings.push({
        pointer,
        reason: `possible always loop through ${list}: its guards must eventually stop it`,
      });
  }
}

/** The input the validator starts a plan with: every group has one member. */
function dummyInput(groups: readonly string[]): PlanInput {
  return {
    alarm: {
      id: 'validate',
      type: 'validate',
      priority: 1,
      text: 'plan validation',
      location: undefined,
      source: { adapter: 'validate' },
      environment: 'default',
      raisedAt: 0,
    },
    groups: Object.fromEntries(groups.map((g) => [g, ['validator']])),
    params: { levelTimeoutMs: 60_000, rounds: 2 },
  };
}

/** Whether Intl knows `zone` as a time zone (IANA name or UTC). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
