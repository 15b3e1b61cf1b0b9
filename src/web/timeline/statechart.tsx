/**
 * The plan's statechart, simply: every state as a box in a grid (nested states by their
 * `parent.child` path), the current or selected state highlighted, final states double-framed,
 * and the transitions listed as text beneath (the list is what screen readers get).
 */
import { useConsole } from '../context.ts';
import { isInState, type ChartState } from './timeline-model.ts';

const COLS = 4;
const W = 170;
const H = 44;
const GAP = 16;

export function Statechart({
  states,
  active,
  complete,
}: {
  states: readonly ChartState[];
  active: string | undefined;
  /** false: only the states the protocol shows (the plan definition was not readable). */
  complete: boolean;
}) {
  const { t } = useConsole();
  const rows = Math.ceil(states.length / COLS);
  const width = Math.min(states.length, COLS) * (W + GAP) + GAP;
  const height = rows * (H + GAP) + GAP;
  return (
    <section class="statechart card" aria-labelledby="chart-title" data-testid="statechart">
      <h2 id="chart-title">{t('timeline.chart')}</h2>
      {!complete && <p class="muted">{t('timeline.chart.partial')}</p>}
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={t('timeline.chart.label', { state: active ?? '—' })}
      >
        {states.map((s, i) => {
          const x = GAP + (i % COLS) * (W + GAP);
          const y = GAP + Math.floor(i / COLS) * (H + GAP);
          const on = isInState(s.path, active);
          return (
            <g key={s.path} class={`chart-state${on ? ' active' : ''}`} data-state={s.path} data-active={on}>
              <rect x={x} y={y} width={W} height={H} rx={10} />
              {s.final && <rect x={x + 4} y={y + 4} width={W - 8} height={H - 8} rx={7} class="inner" />}
              <text x={x + W / 2} y={y + H / 2 + 5} text-anchor="middle">
                {s.path.length > 20 ? `${s.path.slice(0, 19)}…` : s.path}
              </text>
            </g>
          );
        })}
      </svg>
      <ul class="transitions">
        {states.flatMap((s) =>
          s.transitions.map((tr, i) => (
            <li key={`${s.path}-${i}`} class={isInState(s.path, active) ? 'active' : undefined}>
              <code>
                {s.path} —{tr.event}
                {tr.guard ? ` [${tr.guard}]` : ''}→ {tr.target}
              </code>
            </li>
          )),
        )}
      </ul>
    </section>
  );
}
