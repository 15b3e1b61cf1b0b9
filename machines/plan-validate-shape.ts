/**
 * The shape checks of the plan validator (plan-validate.ts, check 2), pure: the safe subset of
 * plan-schema.ts key by key, each problem at its exact pointer. They build the state tree
 * (StateInfo) that the graph checks (plan-validate-graph.ts) then resolve and walk.
 */
import { registeredNames } from './registry.ts';
import { PLAN_LIMITS, STATE_KEY_PATTERN } from './plan-schema.ts';
import { at, describe, FORBIDDEN, has, isObj, own, type Obj } from './plan-validate-json.ts';
import { checkRef, checkRefs, type RefScope } from './plan-validate-refs.ts';

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

export interface StateInfo {
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

export interface TransitionInfo {
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

/** What the shape checks share: RefScope, and every state met below the root, in document order. */
export interface ShapeScope extends RefScope {
  readonly states: StateInfo[];
}

/** Checks the transitions `v` at pointer `p` and adds them to `source`. */
export function checkTransitions(
  scope: ShapeScope,
  v: unknown,
  p: string,
  kind: TransitionInfo['kind'],
  source: StateInfo,
): void {
  const { problems } = scope;
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
        else checkRef(scope, guard, at(tp, 'guard'), 'guards');
        info.guarded = true;
      }
      if (has(t, 'actions')) {
        const acts = own(t, 'actions');
        checkRefs(scope, acts, at(tp, 'actions'), 'actions');
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
}

/** Checks state `node` (the root when `info` has no parent) and, recursively, its children. */
export function checkState(scope: ShapeScope, node: Obj, info: StateInfo, depth: number): void {
  const { problems, states } = scope;
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
        } else checkState(scope, childNode, child, depth + 1);
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
      checkRefs(scope, v, kp, 'actions');
      if (!Array.isArray(v) || v.length > 0) info.effects = true;
    } else if (k === 'always' && info.kind !== 'final') checkTransitions(scope, v, kp, 'always', info);
    else if (k === 'on' && info.kind !== 'final') {
      if (!isObj(v)) {
        problems.push({ pointer: kp, reason: `on must be an object of event names, not ${describe(v)}` });
        continue;
      }
      for (const ev of Object.keys(v)) {
        if (FORBIDDEN.has(ev)) continue;
        const ep = at(kp, ev);
        if (ev === '' || ev.length > 128) problems.push({ pointer: ep, reason: 'event names have 1..128 characters' });
        else if (ev.startsWith('xstate.'))
          problems.push({ pointer: ep, reason: `event name '${ev}' is reserved ('xstate.' prefix)` });
        else if (ev === '*' || ev.endsWith('.*'))
          problems.push({ pointer: ep, reason: `wildcard event '${ev}' is not supported: name each event` });
        checkTransitions(scope, v[ev], ep, 'on', info);
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
        checkTransitions(scope, v[d], dp, 'after', info);
      }
    }
  }
}

/**
 * Checks the plan's shape from the root (the root-only keys `id` and `context` first) and returns
 * the root's StateInfo; every other state is added to `scope.states`.
 */
export function checkShape(scope: ShapeScope, def: Obj): StateInfo {
  const { problems, states } = scope;
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
  checkState(scope, def, rootInfo, 0);
  if (states.length > PLAN_LIMITS.maxStates)
    problems.push({ pointer: '', reason: `too large: ${states.length} states, at most ${PLAN_LIMITS.maxStates}` });
  return rootInfo;
}
