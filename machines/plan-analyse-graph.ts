/**
 * The graph plan-analyse.ts explores (nodes: resting snapshots with their armed timers; edges:
 * the events tried) and the figures computed on it: strongly connected components, longest
 * paths over the condensation, and notifying loops without delay. Pure.
 */
import type { Analysis } from './plan-analyse.ts';
import type { PersistedPlanSnapshot } from './plan-step.ts';
import type { ArmedTimer, PlanEvent } from './plan-simulate.ts';

export interface Node {
  readonly snapshot: PersistedPlanSnapshot;
  readonly armed: readonly ArmedTimer[];
  readonly notified: boolean;
  readonly value: string;
  readonly parent: { readonly node: number; readonly edge: number } | undefined;
}

export interface Edge {
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly timer: boolean;
  readonly ms: number;
  readonly recipients: number;
  readonly event: PlanEvent;
}

/** Strongly connected components (iterative Tarjan); returns the component of each node, numbered in reverse topological order. */
function scc(n: number, out: (v: number) => number[]): { comp: number[]; count: number } {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const comp = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let idx = 0;
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    const work: { v: number; succ: number[]; i: number }[] = [];
    const open = (v: number) => {
      index[v] = low[v] = idx++;
      stack.push(v);
      onStack[v] = true;
      work.push({ v, succ: out(v), i: 0 });
    };
    open(s);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++]!;
        if (index[w] === -1) open(w);
        else if (onStack[w]) low[top.v] = Math.min(low[top.v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low[parent] = Math.min(low[parent]!, low[top.v]!);
      }
      if (low[top.v] === index[top.v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          comp[w] = count;
        } while (w !== top.v);
        count++;
      }
    }
  }
  return { comp, count };
}

/**
 * Longest distance from `start` to every node over the edges `use` admits, weighted by
 * `weight`; null when a cycle reachable from start has positive weight. Unreached: -Infinity.
 */
export function longest(
  nodes: number,
  edges: readonly Edge[],
  start: number,
  use: (e: Edge) => boolean,
  weight: (e: Edge) => number,
) {
  const adj: number[][] = Array.from({ length: nodes }, () => []);
  edges.forEach((e, i) => {
    if (use(e)) adj[e.from]!.push(i);
  });
  const { comp, count } = scc(nodes, (v) => adj[v]!.map((i) => edges[i]!.to));
  const dist = new Array<number>(count).fill(-Infinity);
  dist[comp[start]!] = 0;
  const members: number[][] = Array.from({ length: count }, () => []);
  comp.forEach((c, v) => members[c]!.push(v));
  for (let c = count - 1; c >= 0; c--) {
    if (dist[c] === -Infinity) continue;
    for (const v of members[c]!) {
      for (const i of adj[v]!) {
        const e = edges[i]!;
        const w = weight(e);
        const target = comp[e.to]!;
        if (target === c) {
          if (w > 0) return null;
          continue;
        }
        dist[target] = Math.max(dist[target]!, dist[c]! + w);
      }
    }
  }
  return comp.map((c) => dist[c]!);
}

/** Notifying cycles of non-timer edges; see `loopsWithoutDelay` in plan-analyse.ts's header comment. */
export function loops(
  nodes: readonly Node[],
  edges: readonly Edge[],
  truncated: boolean,
): Analysis['loopsWithoutDelay'] {
  const instant = edges.filter((e) => !e.timer);
  const report: Analysis['loopsWithoutDelay'] = [];
  const seen = new Set<string>();
  const collect = (
    n: number,
    from: (e: Edge) => number,
    to: (e: Edge) => number,
    name: (v: number) => string,
    certain: boolean,
  ) => {
    const adj: number[][] = Array.from({ length: n }, () => []);
    for (const e of instant) adj[from(e)]!.push(to(e));
    const { comp } = scc(n, (v) => adj[v]!);
    const byComp = new Map<number, { states: Set<string>; events: Set<string> }>();
    for (const e of instant) {
      const c = comp[from(e)]!;
      if (e.recipients === 0 || c !== comp[to(e)]) continue;
      const entry = byComp.get(c) ?? { states: new Set<string>(), events: new Set<string>() };
      entry.events.add(e.label);
      byComp.set(c, entry);
    }
    for (const [c, entry] of byComp) {
      comp.forEach((cc, v) => {
        if (cc === c) entry.states.add(name(v));
      });
      const states = [...entry.states].sort();
      const id = JSON.stringify(states);
      if (seen.has(id)) continue;
      seen.add(id);
      report.push({ states, events: [...entry.events].sort(), certain });
    }
  };
  collect(
    nodes.length,
    (e) => e.from,
    (e) => e.to,
    (v) => nodes[v]!.value,
    true,
  );
  if (truncated) {
    const values = [...new Set(nodes.map((n) => n.value))];
    const index = new Map(values.map((v, i) => [v, i]));
    const vi = (i: number) => index.get(nodes[i]!.value)!;
    collect(
      values.length,
      (e) => vi(e.from),
      (e) => vi(e.to),
      (v) => values[v]!,
      false,
    );
  }
  return report;
}
