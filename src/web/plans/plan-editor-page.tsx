/**
 * Administration › Escalation plans › one plan (`/admin/plans/:id`): the plan's newest version
 * (or an older one, or a starter plan for an id that has none yet) as JSON text with completion,
 * the validator's problems at their lines, the live statechart, and publishing as a new
 * version. Below: analysis, simulation and the diff of two versions (plan-tools-panel.tsx).
 * A version is immutable, so "editing" always means publishing the next one.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';
import { newest, postPlan, type PlanSummary, type PlanVersionDetail } from './plan-api.ts';
import type { PlanEditorHandle } from './plan-codemirror.ts';
import type { Schema } from './plan-completion.ts';
import { PlanDiagram } from './plan-diagram.tsx';
import { formatPlan } from './plan-source.ts';
import { PlanTextEditor } from './plan-text-editor.tsx';
import { PlanToolsPanel } from './plan-tools-panel.tsx';
import { ProblemList } from './problem-list.tsx';
import { starterPlan } from './starter-plan.ts';
import { usePlanCheck } from './use-plan-check.ts';
import './plans.css';

/** What the editor started from: a published version, or the starter plan (version undefined). */
interface Base {
  readonly version: number | undefined;
  readonly text: string;
}

export function PlanEditorPage({ planId }: { planId: string }) {
  const { t, navigate } = useConsole();
  const [summary, setSummary] = useState<PlanSummary | null | undefined>(undefined);
  const [base, setBase] = useState<Base | undefined>();
  const [text, setText] = useState<string | undefined>();
  const [schema, setSchema] = useState<Schema | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [status, setStatus] = useState<string>('');
  const [publishing, setPublishing] = useState(false);
  const handle = useRef<PlanEditorHandle | undefined>(undefined);
  const { plan, check } = usePlanCheck(text, t('plans.problems.syntax'));

  const fail = useCallback(
    (err: unknown) => setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) })),
    [t],
  );

  /** Reloads the versions; with `open`, also loads that version's text (0: the newest). */
  const load = useCallback(
    async (open?: number) => {
      const { plans } = await api.get<{ plans: PlanSummary[] }>('/api/v1/plans');
      const found = plans.find((p) => p.id === planId) ?? null;
      setSummary(found);
      if (open === undefined) return;
      const v = open === 0 ? (found ? newest(found)?.version : undefined) : open;
      const next =
        v === undefined
          ? formatPlan(starterPlan(planId))
          : formatPlan(
              (await api.get<PlanVersionDetail>(`/api/v1/plans/${encodeURIComponent(planId)}/versions/${v}`))
                .definition,
            );
      setBase({ version: v, text: next });
      setText(next);
    },
    [planId],
  );

  useEffect(() => {
    setError(undefined);
    setStatus('');
    load(0).catch(fail);
  }, [load, fail]);
  useEffect(() => {
    api
      .get<Schema>('/api/v1/schemas/plan.json')
      .then(setSchema)
      .catch(() => {});
  }, []);

  const changed = text !== undefined && base !== undefined && text !== base.text;
  const valid = check.status === 'valid';

  async function publish() {
    if (!valid || plan === undefined) return;
    setPublishing(true);
    setError(undefined);
    setStatus(t('plans.publish.running'));
    try {
      const r = await postPlan<{ id: string; version: number }>('/api/v1/plans', { plan });
      if (!r.ok) {
        setStatus('');
        setError(
          t('plans.publish.refused', { reasons: r.problems.map((p) => `${p.pointer || '/'}: ${p.reason}`).join('; ') }),
        );
        return;
      }
      setStatus(t('plans.publish.done', { id: r.value.id, version: r.value.version }));
      if (r.value.id !== planId) navigate(`/admin/plans/${encodeURIComponent(r.value.id)}`);
      else {
        setBase({ version: r.value.version, text: text ?? '' });
        await load();
      }
    } catch (err) {
      setStatus('');
      fail(err);
    } finally {
      setPublishing(false);
    }
  }

  const versions = summary ? [...summary.versions].sort((a, b) => b.version - a.version) : [];
  return (
    <section class="plan-editor" aria-labelledby="plan-editor-title">
      <header class="plan-editor-head">
        <a
          href="/admin/plans"
          class="back"
          onClick={(e) => {
            e.preventDefault();
            navigate('/admin/plans');
          }}
        >
          {t('plans.editor.back')}
        </a>
        <h1 id="plan-editor-title">{t('plans.editor.title', { id: planId })}</h1>
        {summary === null && (
          <p class="muted" data-testid="plan-new">
            {t('plans.editor.new')}
          </p>
        )}
        {versions.length > 0 && (
          <label class="inline">
            {t('plans.editor.from')}
            <select
              value={String(base?.version ?? '')}
              onChange={(e) => load(Number((e.target as HTMLSelectElement).value)).catch(fail)}
            >
              {versions.map((v) => (
                <option key={v.version} value={String(v.version)}>
                  {t('plans.version', { version: v.version })}
                </option>
              ))}
            </select>
          </label>
        )}
        <span class="spacer" />
        <button
          type="button"
          class="primary"
          data-testid="plan-publish"
          disabled={!valid || publishing || (!changed && base?.version !== undefined)}
          onClick={() => void publish()}
        >
          {t('plans.publish')}
        </button>
      </header>
      <p role="status" class="muted plan-status" data-testid="plan-status">
        {status}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {base === undefined && !error && <p>{t('common.loading')}</p>}
      {base !== undefined && (
        <div class="plan-editor-grid">
          <div class="plan-editor-main">
            <PlanTextEditor
              initial={base.text}
              label={t('plans.editor.label', { id: planId })}
              schema={schema}
              problems={check.status === 'invalid' || check.status === 'syntax' ? check.problems : []}
              onChange={setText}
              handle={handle}
            />
            <ProblemList check={check} changed={changed} onGoto={(line) => handle.current?.goto(line)} />
          </div>
          <PlanDiagram plan={plan} />
        </div>
      )}
      {base !== undefined && (
        <PlanToolsPanel planId={planId} plan={valid ? plan : undefined} summary={summary ?? null} />
      )}
    </section>
  );
}
