/**
 * What-if (`/what-if`, needs `operation.protocol`): the alarms raised in a time range (found
 * through GET /api/v1/protocol) replayed under another plan version (POST
 * /api/v1/replay/what-if), in batches so a progress bar shows how far the run is and it can be
 * stopped; then what would have differed — who would have been called, and when — per alarm,
 * a page at a time. The plan versions are offered from GET /api/v1/plans when the user may read
 * it, else typed as `id@version`.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';
import { planRef, type PlanSummary } from './plan-api.ts';
import { batches, mergeReports, type WhatIfReport } from './what-if-model.ts';
import { WhatIfResults } from './what-if-results.tsx';
import './plans.css';

/** The most alarms one run replays (the server's own cap on a request is 500, too). */
export const WHAT_IF_RUN_MAX = 500;

type Progress = { phase: 'finding'; found: number } | { phase: 'replaying'; done: number; total: number };

/** A datetime-local value for `t` (local time, minutes). */
const localInput = (t: number): string => {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export function WhatIfPage() {
  const { t } = useConsole();
  const [plans, setPlans] = useState<readonly string[]>([]);
  const [plan, setPlan] = useState('');
  const [from, setFrom] = useState(() => localInput(Date.now() - 7 * 24 * 3600_000));
  const [to, setTo] = useState(() => localInput(Date.now() + 3600_000));
  const [progress, setProgress] = useState<Progress | undefined>();
  const [report, setReport] = useState<WhatIfReport | undefined>();
  const [error, setError] = useState<string | undefined>();
  const stop = useRef(false);

  useEffect(() => {
    // Only holders of administration.plans.edit may list plans; others type the version.
    api
      .get<{ plans: PlanSummary[] }>('/api/v1/plans')
      .then((r) => setPlans(r.plans.flatMap((p) => p.versions.map((v) => planRef(p.id, v.version)))))
      .catch(() => {});
  }, []);

  async function run() {
    stop.current = false;
    setError(undefined);
    setReport(undefined);
    const ref = plan.trim();
    try {
      const ids: string[] = [];
      let before: string | null = null;
      setProgress({ phase: 'finding', found: 0 });
      do {
        const q = new URLSearchParams({
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          limit: '100',
        });
        if (before) q.set('before', before);
        const page: { alarms: { id: string }[]; nextBefore: string | null } = await api.get(`/api/v1/protocol?${q}`);
        ids.push(...page.alarms.map((a) => a.id));
        before = page.nextBefore;
        setProgress({ phase: 'finding', found: ids.length });
      } while (before !== null && ids.length < WHAT_IF_RUN_MAX && !stop.current);
      const chosen = ids.slice(0, WHAT_IF_RUN_MAX);
      const reports: WhatIfReport[] = [];
      const parts = batches(chosen);
      setProgress({ phase: 'replaying', done: 0, total: chosen.length });
      for (const part of parts) {
        if (stop.current) break;
        reports.push(await api.post<WhatIfReport>('/api/v1/replay/what-if', { plan: ref, alarms: part }));
        setProgress({
          phase: 'replaying',
          done: reports.reduce((n, r) => n + r.alarms.length, 0),
          total: chosen.length,
        });
      }
      setReport(mergeReports(ref, reports));
    } catch (err) {
      setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) }));
    } finally {
      setProgress(undefined);
    }
  }

  const running = progress !== undefined;
  const validRef = /^[A-Za-z0-9_-]{1,64}@[1-9][0-9]{0,8}$/.test(plan.trim());
  return (
    <section class="what-if" aria-labelledby="what-if-title">
      <h1 id="what-if-title">{t('plans.whatIf.title')}</h1>
      <p class="muted">{t('plans.whatIf.intro')}</p>
      <form
        class="filters"
        aria-label={t('plans.whatIf.form')}
        onSubmit={(e) => {
          e.preventDefault();
          if (validRef && !running) void run();
        }}
      >
        <label>
          {t('plans.whatIf.plan')}
          <input
            type="text"
            name="plan"
            list="what-if-plans"
            placeholder="escalate@2"
            value={plan}
            onInput={(e) => setPlan((e.target as HTMLInputElement).value)}
          />
          <datalist id="what-if-plans">
            {plans.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <label>
          {t('plans.whatIf.from')}
          <input
            type="datetime-local"
            name="from"
            value={from}
            onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('plans.whatIf.to')}
          <input
            type="datetime-local"
            name="to"
            value={to}
            onInput={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </label>
        <div class="filter-actions">
          <button type="submit" class="primary" disabled={!validRef || running}>
            {t('plans.whatIf.run')}
          </button>
          {running && (
            <button type="button" onClick={() => (stop.current = true)}>
              {t('plans.whatIf.stop')}
            </button>
          )}
        </div>
      </form>
      {!validRef && plan.trim() !== '' && <p class="muted">{t('plans.whatIf.planHelp')}</p>}
      <div role="status" class="what-if-progress" data-testid="what-if-progress" aria-busy={running}>
        {progress?.phase === 'finding' && (
          <>
            <progress aria-label={t('plans.whatIf.finding', { n: progress.found })} />
            <span>{t('plans.whatIf.finding', { n: progress.found })}</span>
          </>
        )}
        {progress?.phase === 'replaying' && (
          <>
            <progress value={progress.done} max={Math.max(1, progress.total)} />
            <span>{t('plans.whatIf.replaying', { done: progress.done, total: progress.total })}</span>
          </>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!report && !running && !error && (
        <section class="notice" data-testid="what-if-start">
          <p>{t('plans.whatIf.start')}</p>
        </section>
      )}
      {report && report.summary.alarms === 0 && (
        <section class="notice" data-testid="what-if-empty">
          <h2>{t('plans.whatIf.empty.title')}</h2>
          <p>{t('plans.whatIf.empty.body')}</p>
        </section>
      )}
      {report && report.summary.alarms > 0 && <WhatIfResults report={report} />}
    </section>
  );
}
