/**
 * Simulation of the plan in the editor (POST /api/v1/plans/simulate): a scenario built in a
 * small form (who answers what, when; cancels; failed deliveries; presence changes) and the
 * predicted timeline on a virtual clock — each step's trigger, state change and effects.
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { postPlan } from './plan-api.ts';
import { formatDuration, stateLabel } from './plan-format.ts';
import { scenarioOf, STEP_EVENTS, type StepDraft, type Timeline, type TimelineEffect } from './scenario.ts';

const FIRST: StepDraft = { at: '90', event: 'accept', who: '', group: '', present: true };

export function SimulatePanel({ plan }: { plan: unknown }) {
  const { t, lang } = useConsole();
  const [steps, setSteps] = useState<readonly StepDraft[]>([FIRST]);
  const [alarmType, setAlarmType] = useState('');
  const [running, setRunning] = useState(false);
  const [timeline, setTimeline] = useState<Timeline | undefined>();
  const [error, setError] = useState<string | undefined>();
  const d = (ms: number | null) => formatDuration(ms, LOCALE[lang]);

  const edit = (i: number, patch: Partial<StepDraft>) =>
    setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  async function run() {
    setRunning(true);
    setError(undefined);
    try {
      const body = { plan, scenario: scenarioOf(steps), ...(alarmType.trim() ? { alarmType: alarmType.trim() } : {}) };
      const r = await postPlan<Timeline>('/api/v1/plans/simulate', body);
      if (r.ok) setTimeline(r.value);
      else setError(r.problems.map((p) => `${p.pointer || '/'}: ${p.reason}`).join('; '));
    } catch (err) {
      setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) }));
    } finally {
      setRunning(false);
    }
  }

  const effect = (e: TimelineEffect): string | undefined => {
    switch (e.type) {
      case 'notify':
        return t('plans.sim.notify', { group: e.group, round: e.round, who: e.recipients.join(', ') || '—' });
      case 'withdraw':
        return t('plans.sim.withdraw', { who: e.recipients.join(', ') || '—' });
      case 'log':
        return `“${e.message}”`;
      case 'forward':
        return t('plans.sim.forward', { type: e.alarmType });
      default:
        return undefined;
    }
  };

  return (
    <div class="plan-tool" data-testid="plan-simulate">
      <form
        class="scenario"
        aria-label={t('plans.sim.scenario')}
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <p class="muted">{t('plans.sim.help')}</p>
        <ol class="scenario-steps">
          {steps.map((s, i) => (
            <li key={i} class="scenario-step">
              <label>
                {t('plans.sim.at')}
                <input
                  type="number"
                  min={0}
                  step={1}
                  value={s.at}
                  onInput={(e) => edit(i, { at: (e.target as HTMLInputElement).value })}
                />
              </label>
              <label>
                {t('plans.sim.event')}
                <select
                  value={s.event}
                  onChange={(e) => edit(i, { event: (e.target as HTMLSelectElement).value as StepDraft['event'] })}
                >
                  {STEP_EVENTS.map((ev) => (
                    <option key={ev} value={ev}>
                      {t(`plans.sim.event.${ev}`)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('plans.sim.who')}
                <input
                  type="text"
                  value={s.who}
                  onInput={(e) => edit(i, { who: (e.target as HTMLInputElement).value })}
                />
              </label>
              {s.event === 'presence' && (
                <>
                  <label>
                    {t('plans.sim.group')}
                    <input
                      type="text"
                      value={s.group}
                      onInput={(e) => edit(i, { group: (e.target as HTMLInputElement).value })}
                    />
                  </label>
                  <label class="check">
                    <input
                      type="checkbox"
                      checked={s.present}
                      onChange={(e) => edit(i, { present: (e.target as HTMLInputElement).checked })}
                    />
                    {t('plans.sim.present')}
                  </label>
                </>
              )}
              <button type="button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                {t('plans.sim.remove')}
              </button>
            </li>
          ))}
        </ol>
        <div class="tool-form">
          <button
            type="button"
            onClick={() => setSteps([...steps, { ...FIRST, at: String(Number(steps.at(-1)?.at ?? 0) + 60) }])}
          >
            {t('plans.sim.add')}
          </button>
          <label>
            {t('plans.alarmType')}
            <input type="text" value={alarmType} onInput={(e) => setAlarmType((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="primary" disabled={plan === undefined || running}>
            {running ? t('plans.sim.running') : t('plans.sim.run')}
          </button>
        </div>
      </form>
      {plan === undefined && <p class="muted">{t('plans.tools.needValid')}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {timeline && (
        <table class="list sim-timeline" data-testid="sim-timeline">
          <caption class="muted">
            {t('plans.sim.summary', {
              state: stateLabel(timeline.end.state),
              reason: timeline.end.reason,
              n: timeline.notifications,
              first: d(timeline.firstNotificationAt),
            })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('plans.sim.col.at')}</th>
              <th scope="col">{t('plans.sim.col.trigger')}</th>
              <th scope="col">{t('plans.sim.col.state')}</th>
              <th scope="col">{t('plans.sim.col.effects')}</th>
            </tr>
          </thead>
          <tbody>
            {timeline.entries.map((e, i) => (
              <tr key={i}>
                <td>{d(e.at)}</td>
                <td>
                  {e.trigger.kind === 'start'
                    ? t('plans.sim.trigger.start')
                    : e.trigger.kind === 'timer'
                      ? t('plans.sim.trigger.timer', { id: e.trigger.sendId })
                      : t('plans.sim.trigger.step', { n: e.trigger.step + 1, event: e.trigger.event.type })}
                </td>
                <td>
                  {e.from === null ? '' : `${stateLabel(e.from)} → `}
                  {stateLabel(e.to)}
                </td>
                <td>{e.effects.map(effect).filter(Boolean).join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
