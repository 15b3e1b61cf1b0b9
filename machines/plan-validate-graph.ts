/**
 * The graph checks of the plan validator (plan-validate.ts, checks 3 and 4), pure: targets
 * resolved against the state tree that plan-validate-shape.ts built, then unreachable states,
 * dead ends and `always` loops.
 */
import { MAX_ITERATIONS } from './plan-machine.ts';
import type { Problem } from './registry-params.ts';
import { at } from './plan-validate-json.ts';
import type { StateInfo } from './plan-validate-shape.ts';

/**
 * Resolves every transition's targets (check 3), reporting those that name no state, and drops
 * (reporting them) several targets of one transition that cannot all be active.
 */
export function resolveTargets(
  rootInfo: StateInfo,
  all: readonly StateInfo[],
  planId: string | undefined,
  problems: Problem[],
): void {
  const descend = (from: StateInfo, segments: readonly string[]): StateInfo | undefined => {
    let node: StateInfo | undefined = from;
    for (const s of segments) node = node?.children.get(s);
    return node;
  };
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
}

/**
 * The graph checks (check 4): states no transition reaches, dead ends (errors), and `always`
 * loops (errors when unguarded, warnings when guarded).
 */
export function checkGraph(
  rootInfo: StateInfo,
  states: readonly StateInfo[],
  all: StateInfo[],
  problems: Problem[],
  warnings: Problem[],
): void {
  // Reachability.
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
