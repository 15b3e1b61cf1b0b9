/**
 * Lays a plan chart out with elkjs (its bundled build, in this thread: a plan has at most 200
 * states, and the editor debounces, so a worker would buy little and cost a second CSP-checked
 * script). Loaded with import() by the diagram: elkjs is ~1.5 MB and only the plan editor uses it.
 */
import elkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK, ELKConstructorArguments, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { elkGraph, flatStates, INITIAL, type ChartState, type PlanChart } from './plan-chart.ts';

export interface LaidState {
  readonly id: string;
  readonly label: string;
  readonly kind: ChartState['kind'] | 'initial';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidEdge {
  readonly id: string;
  /** The polyline's points, start to end. */
  readonly points: readonly { x: number; y: number }[];
  readonly label?: { readonly text: string; readonly x: number; readonly y: number };
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly states: readonly LaidState[];
  readonly edges: readonly LaidEdge[];
}

/** elk.bundled.js is CommonJS: the bundler hands over the class itself, Node's interop a namespace holding it. */
const ElkConstructor = ((elkModule as unknown as { default?: unknown }).default ?? elkModule) as new (
  args?: ELKConstructorArguments,
) => ELK;
let elk: ELK | undefined;

/** Lays `chart` out. Rejects when ELK fails (the caller keeps its last drawing). */
export async function layoutChart(chart: PlanChart): Promise<ChartLayout> {
  elk ??= new ElkConstructor();
  const out = await elk.layout(elkGraph(chart));
  const kinds = new Map(flatStates(chart.states).map((s) => [s.id, s.kind]));
  const states: LaidState[] = [];
  const visit = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      states.push({
        id: c.id,
        label: c.labels?.[0]?.text ?? '',
        kind: c.id.startsWith(`${INITIAL}:`) ? 'initial' : (kinds.get(c.id) ?? 'atomic'),
        x: c.x ?? 0,
        y: c.y ?? 0,
        width: c.width ?? 0,
        height: c.height ?? 0,
      });
      visit(c);
    }
  };
  visit(out);
  const edges = (out.edges ?? []).map((e: ElkExtendedEdge): LaidEdge => {
    const s = e.sections?.[0];
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    const l = e.labels?.[0];
    return {
      id: e.id,
      points,
      ...(l?.text ? { label: { text: l.text, x: l.x ?? 0, y: (l.y ?? 0) + (l.height ?? 0) - 3 } } : {}),
    };
  });
  return { width: out.width ?? 0, height: out.height ?? 0, states, edges };
}
