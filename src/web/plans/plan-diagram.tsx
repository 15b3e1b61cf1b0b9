/**
 * The live statechart of the plan being edited, as SVG: compound states as frames holding their
 * children, final states double-framed, an initial dot per level, transitions as arrows with
 * their events. Redrawn (debounced) from each parse of the text; while the text does not parse,
 * or ELK fails, the last good drawing stays. The transitions are also listed as text (what
 * screen readers get). elkjs is loaded on first use.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { planChart, type PlanChart } from './plan-chart.ts';
import type { ChartLayout, LaidState } from './plan-layout.ts';

const REDRAW_MS = 250;

/**
 * `plan`: the definition (undefined while the text does not parse). `active`: a state path
 * (`levelA.ringing`), or one per parallel region, to highlight with its ancestors — what the
 * alarm timeline passes: the state is outlined and its name bold, its ancestors' frames
 * outlined; the state itself also gets a dashed ring (`data-active="state"`, ancestors
 * `"parent"`), so colour is never the only difference. `title`, `label` (the SVG's accessible
 * name) and `notice` (a line under the title) replace the editor's texts.
 */
export function PlanDiagram({
  plan,
  active,
  title,
  label,
  notice,
}: {
  plan: unknown;
  active?: string | readonly string[];
  title?: string;
  label?: string;
  notice?: string;
}) {
  const { t } = useConsole();
  const actives = active === undefined ? [] : typeof active === 'string' ? [active] : active;
  const chart = useMemo(() => (plan === undefined ? undefined : planChart(plan)), [plan]);
  const [layout, setLayout] = useState<{ chart: PlanChart; layout: ChartLayout } | undefined>();
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!chart || chart.states.length === 0) return;
    let live = true;
    const timer = setTimeout(() => {
      import('./plan-layout.ts')
        .then((m) => m.layoutChart(chart))
        .then((l) => {
          if (!live) return;
          setLayout({ chart, layout: l });
          setFailed(false);
        })
        .catch((err: unknown) => {
          console.error(err);
          if (live) setFailed(true);
        });
    }, REDRAW_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [chart]);

  return (
    <section class="plan-diagram card" aria-labelledby="plan-diagram-title" data-testid="plan-diagram">
      <h2 id="plan-diagram-title">{title ?? t('plans.diagram.title')}</h2>
      {notice !== undefined && <p class="muted">{notice}</p>}
      {!layout && !failed && <p class="muted">{t('plans.diagram.drawing')}</p>}
      {failed && <p class="warning">{t('plans.diagram.failed')}</p>}
      {layout && plan === undefined && (
        <p class="muted" role="status">
          {t('plans.diagram.lastGood')}
        </p>
      )}
      {layout && (
        <ChartSvg
          layout={layout.layout}
          active={actives}
          label={label ?? t('plans.diagram.label', { id: layout.chart.planId })}
        />
      )}
      {layout && (
        <details class="plan-transitions">
          <summary>{t('plans.diagram.transitions', { n: layout.chart.edges.length })}</summary>
          <ul>
            {layout.chart.edges.map((e) => (
              <li key={`${e.from}-${e.to}`}>
                <code>
                  {e.from} —{e.labels.join(', ')}→ {e.to}
                </code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** Whether `id` is an active state (`state`), one of their ancestors (`parent`), or neither. */
const activity = (id: string, active: readonly string[]): 'state' | 'parent' | undefined =>
  active.includes(id) ? 'state' : active.some((a) => a.startsWith(`${id}.`)) ? 'parent' : undefined;

function StateShape({ s, active }: { s: LaidState; active: 'state' | 'parent' | undefined }) {
  if (s.kind === 'initial')
    return <circle class="initial" cx={s.x + s.width / 2} cy={s.y + s.height / 2} r={s.width / 2} />;
  const compound = s.kind === 'compound' || s.kind === 'parallel';
  return (
    <g
      class={`state kind-${s.kind}${active ? ' active' : ''}`}
      data-state={s.id}
      data-kind={s.kind}
      data-active={active}
    >
      {active === 'state' && (
        <rect class="ring" x={s.x - 4} y={s.y - 4} width={s.width + 8} height={s.height + 8} rx={compound ? 15 : 12} />
      )}
      <rect x={s.x} y={s.y} width={s.width} height={s.height} rx={compound ? 12 : 9} />
      {s.kind === 'final' && (
        <rect class="inner" x={s.x + 4} y={s.y + 4} width={s.width - 8} height={s.height - 8} rx={6} />
      )}
      <text
        x={compound ? s.x + 12 : s.x + s.width / 2}
        y={compound ? s.y + 20 : s.y + s.height / 2 + 5}
        text-anchor={compound ? 'start' : 'middle'}
      >
        {s.label}
        {s.kind === 'parallel' ? ' ∥' : ''}
      </text>
    </g>
  );
}

function ChartSvg({ layout, label, active }: { layout: ChartLayout; label: string; active: readonly string[] }) {
  return (
    <div class="plan-diagram-scroll">
      <svg
        viewBox={`0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`}
        width={Math.ceil(layout.width)}
        height={Math.ceil(layout.height)}
        role="img"
        aria-label={label}
        data-testid="plan-diagram-svg"
      >
        <defs>
          <marker id="plan-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        {layout.states.map((s) => (
          <StateShape key={s.id} s={s} active={activity(s.id, active)} />
        ))}
        {layout.edges.map((e) => (
          <g key={e.id} class="edge">
            <polyline points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} marker-end="url(#plan-arrow)" />
            {e.label && (
              <text x={e.label.x} y={e.label.y}>
                {e.label.text}
              </text>
            )}
          </g>
        ))}
      </svg>
    </div>
  );
}
