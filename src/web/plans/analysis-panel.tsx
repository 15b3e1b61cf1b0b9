/**
 * The analysis report of the plan in the editor (POST /api/v1/plans/analyse): reachable,
 * unreachable and final states, worst-case times and counts, loops without a delay, under the
 * groups and parameters of an alarm type (empty: the type that uses the plan, else the first).
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { postPlan } from './plan-api.ts';
import { formatDuration, stateLabel } from './plan-format.ts';

interface Analysis {
  readonly reachableStates: string[];
  readonly unreachableStates: string[];
  readonly finalStates: string[];
  readonly pathsToFinal: { readonly state: string; readonly events: string[]; readonly atMs: number }[];
  readonly worstCaseFirstNotificationMs: number | null;
  readonly worstCaseLastEscalationMs: number | null;
  readonly maxNotificationsPerAlarm: number | null;
  readonly loopsWithoutDelay: { readonly states: string[]; readonly events: string[]; readonly certain: boolean }[];
  readonly errors: { readonly path: string[]; readonly message: string }[];
  readonly exploredStates: number;
  readonly truncated: boolean;
}

export function AnalysisPanel({ plan }: { plan: unknown }) {
  const { t, lang } = useConsole();
  const [alarmType, setAlarmType] = useState('');
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<Analysis | undefined>();
  const [error, setError] = useState<string | undefined>();

  async function run() {
    setRunning(true);
    setError(undefined);
    try {
      const body = { plan, ...(alarmType.trim() ? { alarmType: alarmType.trim() } : {}) };
      const r = await postPlan<Analysis>('/api/v1/plans/analyse', body);
      if (r.ok) setReport(r.value);
      else setError(r.problems.map((p) => `${p.pointer || '/'}: ${p.reason}`).join('; '));
    } catch (err) {
      setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) }));
    } finally {
      setRunning(false);
    }
  }

  const d = (ms: number | null) => formatDuration(ms, LOCALE[lang]);
  const states = (list: readonly string[]) => (list.length === 0 ? '—' : list.map(stateLabel).join(', '));
  return (
    <div class="plan-tool" data-testid="plan-analysis">
      <form
        class="tool-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          {t('plans.alarmType')}
          <input type="text" value={alarmType} onInput={(e) => setAlarmType((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" disabled={plan === undefined || running}>
          {running ? t('plans.analysis.running') : t('plans.analysis.run')}
        </button>
      </form>
      {plan === undefined && <p class="muted">{t('plans.tools.needValid')}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <dl class="facts analysis-report" data-testid="analysis-report">
          <dt>{t('plans.analysis.firstNotification')}</dt>
          <dd>{d(report.worstCaseFirstNotificationMs)}</dd>
          <dt>{t('plans.analysis.lastEscalation')}</dt>
          <dd>{d(report.worstCaseLastEscalationMs)}</dd>
          <dt>{t('plans.analysis.maxNotifications')}</dt>
          <dd>{report.maxNotificationsPerAlarm ?? '—'}</dd>
          <dt>{t('plans.analysis.reachable')}</dt>
          <dd>{states(report.reachableStates)}</dd>
          <dt>{t('plans.analysis.unreachable')}</dt>
          <dd class={report.unreachableStates.length > 0 ? 'warning' : undefined}>
            {states(report.unreachableStates)}
          </dd>
          <dt>{t('plans.analysis.final')}</dt>
          <dd>
            {report.pathsToFinal.length === 0
              ? states(report.finalStates)
              : report.pathsToFinal.map((p) => `${stateLabel(p.state)} (${d(p.atMs)})`).join(', ')}
          </dd>
          <dt>{t('plans.analysis.loops')}</dt>
          <dd class={report.loopsWithoutDelay.length > 0 ? 'warning' : undefined}>
            {report.loopsWithoutDelay.length === 0
              ? t('plans.analysis.none')
              : report.loopsWithoutDelay.map((l) => l.states.map(stateLabel).join(' → ')).join('; ')}
          </dd>
          {report.errors.length > 0 && (
            <>
              <dt>{t('plans.analysis.errors')}</dt>
              <dd class="error">{report.errors.map((e) => `${e.path.join(' → ')}: ${e.message}`).join('; ')}</dd>
            </>
          )}
          <dt>{t('plans.analysis.explored')}</dt>
          <dd>
            {report.exploredStates}
            {report.truncated ? ` · ${t('plans.analysis.truncated')}` : ''}
          </dd>
        </dl>
      )}
    </div>
  );
}
