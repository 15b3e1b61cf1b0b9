/**
 * A plan's statechart as a graph, purely: each state a node (compound states hold their
 * children), each transition with a target an edge, labelled with its event (`RESPONSE`,
 * `after levelTimeout`, `always`), and an initial marker per level. Then the same graph as an
 * ELK JSON graph (elkjs lays it out: plan-layout.ts). Targets resolve as XState resolves them:
 * `name` is a sibling, `.child` a child of the source, `#planId.a.b` absolute; a target that does
 * not resolve draws no edge (the validator reports it).
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

export interface ChartState {
  /** The dotted path from the plan's root (`levelA`, `escalation.levelB`). */
  readonly id: string;
  readonly key: string;
  readonly kind: 'atomic' | 'compound' | 'parallel' | 'final';
  readonly initial: boolean;
  readonly children: readonly ChartState[];
}

export interface ChartEdge {
  readonly from: string;
  readonly to: string;
  /** The events that take it, e.g. `RESPONSE [accepted]`, `after levelTimeout`. */
  readonly labels: readonly string[];
}

export interface PlanChart {
  readonly planId: string;
  readonly states: readonly ChartState[];
  readonly edges: readonly ChartEdge[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The prefix of the initial pseudo-state node of a level (the root's is `INITIAL`). */
export const INITIAL = '__initial';

function guardName(g: unknown): string | undefined {
  if (typeof g === 'string') return g;
  if (isObject(g) && typeof g.type === 'string') return g.type;
  return undefined;
}

/** The chart of a plan definition (anything JSON: what does not look like a state is skipped). Total. */
export function planChart(def: unknown): PlanChart {
  const plan = isObject(def) ? def : {};
  const planId = typeof plan.id === 'string' ? plan.id : '';
  const edges = new Map<string, { from: string; to: string; labels: string[] }>();
  const all = new Set<string>();

  const states = (node: Json, prefix: string): ChartState[] =>
    Object.entries(isObject(node.states) ? node.states : {}).map(([key, s]) => {
      const id = prefix ? `${prefix}.${key}` : key;
      all.add(id);
      const st = isObject(s) ? s : {};
      const children = states(st, id);
      const kind =
        st.type === 'final'
          ? 'final'
          : st.type === 'parallel'
            ? 'parallel'
            : children.length > 0
              ? 'compound'
              : 'atomic';
      return { id, key, kind, initial: node.initial === key, children };
    });
  const tree = states(plan, '');

  const resolve = (source: string, target: string): string | undefined => {
    if (target.startsWith('#')) {
      const [root, ...rest] = target.slice(1).split('.');
      return root === planId && rest.length > 0 ? rest.join('.') : undefined;
    }
    if (target.startsWith('.')) return `${source}${target}`;
    const parent = source.includes('.') ? source.slice(0, source.lastIndexOf('.')) : '';
    return parent ? `${parent}.${target}` : target;
  };
  const add = (source: string, transitions: unknown, label: string) => {
    for (const tr of list(transitions)) {
      const targets = typeof tr === 'string' ? [tr] : isObject(tr) ? list(tr.target) : [];
      const guard = isObject(tr) ? guardName(tr.guard) : undefined;
      for (const t of targets) {
        const to = typeof t === 'string' ? resolve(source, t) : undefined;
        if (to === undefined || !all.has(to)) continue;
        const key = `${source}→${to}`;
        const text = guard ? `${label} [${guard}]` : label;
        const edge = edges.get(key) ?? { from: source, to, labels: [] };
        if (!edge.labels.includes(text)) edge.labels.push(text);
        edges.set(key, edge);
      }
    }
  };
  const walk = (node: Json, prefix: string) => {
    for (const [key, s] of Object.entries(isObject(node.states) ? node.states : {})) {
      if (!isObject(s)) continue;
      const id = prefix ? `${prefix}.${key}` : key;
      for (const [event, trs] of Object.entries(isObject(s.on) ? s.on : {})) add(id, trs, event);
      for (const [delay, trs] of Object.entries(isObject(s.after) ? s.after : {})) add(id, trs, `after ${delay}`);
      if (s.always !== undefined) add(id, s.always, 'always');
      walk(s, id);
    }
  };
  walk(plan, '');
  return { planId, states: tree, edges: [...edges.values()] };
}

/** Every state of the chart, depth first. */
export const flatStates = (states: readonly ChartState[]): ChartState[] =>
  states.flatMap((s) => [s, ...flatStates(s.children)]);

/** Approximate text width in the chart's 12–14px system font (no canvas: the layout stays pure). */
export const textWidth = (s: string): number => Math.ceil(s.length * 7.6);

const STATE_H = 36;
const MARKER = 10;

/**
 * The chart as an ELK graph: layered left to right, children inside their compound state
 * (INCLUDE_CHILDREN, so edges may cross levels), every coordinate absolute (shapeCoords and
 * edgeCoords ROOT) so the SVG needs no nesting arithmetic.
 */
export function elkGraph(chart: PlanChart): ElkNode {
  const node = (s: ChartState): ElkNode => {
    const base = { id: s.id, labels: [{ text: s.key, width: textWidth(s.key), height: 16 }] };
    if (s.children.length === 0) return { ...base, width: Math.max(72, textWidth(s.key) + 28), height: STATE_H };
    return {
      ...base,
      layoutOptions: {
        'elk.padding': '[top=30,left=14,bottom=14,right=14]',
        'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT',
      },
      children: level(s.children, s.id, s.kind !== 'parallel'),
    };
  };
  const level = (states: readonly ChartState[], parent: string, withInitial: boolean): ElkNode[] => {
    const nodes = states.map(node);
    if (withInitial && states.some((s) => s.initial))
      nodes.unshift({ id: `${INITIAL}:${parent}`, width: MARKER, height: MARKER });
    return nodes;
  };
  const edges: ElkExtendedEdge[] = chart.edges.map((e, i) => {
    const text = e.labels.join(', ');
    return {
      id: `e${i}`,
      sources: [e.from],
      targets: [e.to],
      labels: [{ text, width: textWidth(text), height: 14 }],
    };
  });
  const initials = (states: readonly ChartState[], parent: string): ElkExtendedEdge[] =>
    states.flatMap((s) => [
      ...(s.initial ? [{ id: `i:${s.id}`, sources: [`${INITIAL}:${parent}`], targets: [s.id] }] : []),
      ...(s.kind === 'parallel' ? [] : initials(s.children, s.id)),
    ]);
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: level(chart.states, '', true),
    edges: [...edges, ...initials(chart.states, '')],
  };
}
