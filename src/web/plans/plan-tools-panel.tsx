/**
 * The tools under the plan editor, one at a time: analysis, simulation, and the diff of two
 * published versions. Tabs in the WAI-ARIA pattern (arrow keys move between them).
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { AnalysisPanel } from './analysis-panel.tsx';
import { DiffPanel } from './diff-panel.tsx';
import type { PlanSummary } from './plan-api.ts';
import { SimulatePanel } from './simulate-panel.tsx';

const TOOLS = ['analysis', 'simulate', 'diff'] as const;
type Tool = (typeof TOOLS)[number];

export function PlanToolsPanel({
  planId,
  plan,
  summary,
}: {
  planId: string;
  /** The plan in the editor when it is valid, else undefined. */
  plan: unknown;
  summary: PlanSummary | null;
}) {
  const { t } = useConsole();
  const [tool, setTool] = useState<Tool>('analysis');
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = TOOLS[(TOOLS.indexOf(tool) + step + TOOLS.length) % TOOLS.length]!;
    setTool(next);
    document.getElementById(`plan-tab-${next}`)?.focus();
  };
  return (
    <section class="plan-tools card" aria-label={t('plans.tools.label')}>
      <div role="tablist" class="tabs" aria-label={t('plans.tools.label')} onKeyDown={onKey}>
        {TOOLS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`plan-tab-${k}`}
            aria-selected={tool === k}
            aria-controls={`plan-panel-${k}`}
            tabIndex={tool === k ? 0 : -1}
            onClick={() => setTool(k)}
          >
            {t(`plans.tools.${k}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`plan-panel-${tool}`} aria-labelledby={`plan-tab-${tool}`}>
        {tool === 'analysis' && <AnalysisPanel plan={plan} />}
        {tool === 'simulate' && <SimulatePanel plan={plan} />}
        {tool === 'diff' && <DiffPanel key={summary?.versions.length ?? 0} planId={planId} summary={summary} />}
      </div>
    </section>
  );
}
