/**
 * Operation › Alarm timeline (`/alarms/{id}`, needs `operation.protocol`): the alarm's facts,
 * then lanes on one time axis from the raise to the end (or now) — the alarm's states, each
 * recipient (sent, delivered, read, accepted, rejected, failed, withdrawn), the timers
 * (scheduled → due, fired with lateness, cancelled) and the source events — built from
 * GET /api/v1/alarms/{id} and its protocol. A scrubber steps through the recorded steps (range
 * input, previous/next buttons, all keyboard-operable); the selected step is highlighted in the
 * lanes and the table and its details are shown. "Replay" asks the server to re-run the recorded
 * inputs through the pinned plan version (GET /api/v1/alarms/{id}/replay). Every marker has a
 * text label, and a table lists the same steps for keyboard and screen-reader users. Beside the
 * step, the plan's statechart (PlanDiagram, laid out by elkjs, of the alarm's plan from
 * GET /api/v1/alarms/{id}/plan) highlights the selected step's state; when the plan cannot be
 * read, the same drawing of only the states and transitions the alarm went through. The lanes
 * are timeline-lanes.tsx.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { priorityBand } from '../board/board-model.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { PlanDiagram } from '../plans/plan-diagram.tsx';
import { Lanes } from './timeline-lanes.tsx';
import { StepDetails } from './timeline-step.tsx';
import {
  buildTimeline,
  eventType,
  hasStates,
  statePaths,
  visitedPlan,
  type AlarmDetail,
  type ProtocolStep,
} from './timeline-model.ts';

interface ProtocolAnswer {
  readonly alarmId: string;
  readonly chain: { readonly ok: boolean; readonly seq?: number; readonly reason?: string };
  readonly entries: readonly ProtocolStep[];
}

type Verdict =
  | { readonly ok: true; readonly plan: string; readonly steps: number }
  | {
      readonly ok: false;
      readonly plan: string;
      readonly seq: number;
      readonly reason: string;
      readonly expected: unknown;
      readonly actual: unknown;
    };

export function TimelinePage({ alarmId }: { alarmId: string }) {
  const { t, lang, navigate } = useConsole();
  const [data, setData] = useState<{ alarm: AlarmDetail; protocol: ProtocolAnswer; loadedAt: number } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [index, setIndex] = useState(0);
  const [replay, setReplay] = useState<'running' | Verdict | undefined>();
  // The alarm's plan (GET …/plan, for whoever may read its protocol; when it cannot be read the
  // chart shows the visited states); `pending` while it loads, so the chart does not first draw
  // the visited states.
  const [definition, setDefinition] = useState<unknown>();
  const [pending, setPending] = useState(false);

  const fail = useCallback(
    (err: unknown) => setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) })),
    [t],
  );

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    setReplay(undefined);
    setDefinition(undefined);
    setPending(true);
    const id = encodeURIComponent(alarmId);
    Promise.all([
      api.get<AlarmDetail>(`/api/v1/alarms/${id}`),
      api.get<ProtocolAnswer>(`/api/v1/alarms/${id}/protocol`),
    ])
      .then(([alarm, protocol]) => {
        setData({ alarm, protocol, loadedAt: Date.now() });
        setIndex(Math.max(0, protocol.entries.length - 1));
        api
          .get<{ definition: unknown }>(`/api/v1/alarms/${id}/plan`)
          .then((p) => setDefinition(p.definition))
          .catch(() => setDefinition(undefined))
          .finally(() => setPending(false));
      })
      .catch(fail);
  }, [alarmId, fail]);

  const steps = useMemo(() => [...(data?.protocol.entries ?? [])].sort((a, b) => a.seq - b.seq), [data]);
  // The statechart: the plan itself, or one built from the states and transitions the alarm went through.
  const ended = data?.alarm.status === 'ended';
  const chart = useMemo(
    () =>
      hasStates(definition)
        ? { plan: definition, complete: true }
        : { plan: pending ? undefined : visitedPlan(steps, ended), complete: false },
    [definition, pending, steps, ended],
  );
  const timeline = useMemo(() => (data ? buildTimeline(data.alarm, steps, data.loadedAt) : undefined), [data, steps]);

  const time = (at: number | string | null) =>
    at === null
      ? '—'
      : new Date(at).toLocaleTimeString(LOCALE[lang], {
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          fractionalSecondDigits: 3,
        } as Intl.DateTimeFormatOptions);
  const dateTime = (at: string | null) =>
    at === null ? '—' : new Date(at).toLocaleString(LOCALE[lang], { dateStyle: 'short', timeStyle: 'medium' });

  async function runReplay() {
    setReplay('running');
    try {
      setReplay(await api.get<Verdict>(`/api/v1/alarms/${encodeURIComponent(alarmId)}/replay`));
    } catch (err) {
      setReplay(undefined);
      fail(err);
    }
  }

  const back = (
    <p>
      <a
        href="/protocol"
        onClick={(e) => {
          e.preventDefault();
          navigate('/protocol');
        }}
      >
        {t('timeline.back')}
      </a>
    </p>
  );

  if (error)
    return (
      <section class="timeline" aria-labelledby="timeline-title">
        <h1 id="timeline-title">{t('timeline.title')}</h1>
        <p class="error" role="alert">
          {error}
        </p>
        {back}
      </section>
    );
  if (!data || !timeline)
    return (
      <section class="timeline">
        <p>{t('common.loading')}</p>
      </section>
    );

  const { alarm, protocol } = data;
  const selected = steps[Math.min(index, steps.length - 1)];
  const sel = selected?.seq;
  const activePaths = selected ? statePaths(selected.toState) : [];
  const stepLabel = (s: ProtocolStep) =>
    t('timeline.stepLabel', {
      seq: s.seq,
      n: steps.length,
      event: eventType(s),
      from: s.fromState ?? '∅',
      to: s.toState,
    });

  return (
    <section class="timeline" aria-labelledby="timeline-title">
      {back}
      <h1 id="timeline-title">
        {t('timeline.title')}: {alarm.text}
      </h1>
      <dl class="facts" data-testid="timeline-facts">
        <div>
          <dt>{t('protocol.col.type')}</dt>
          <dd>{alarm.type}</dd>
        </div>
        <div>
          <dt>{t('protocol.col.priority')}</dt>
          <dd>
            {t(`priority.${priorityBand(alarm.priority)}`)} · P{alarm.priority}
          </dd>
        </div>
        <div>
          <dt>{t('protocol.col.location')}</dt>
          <dd>{alarm.location ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('protocol.col.state')}</dt>
          <dd data-testid="timeline-state">
            {alarm.status === 'active' ? t('protocol.status.active') : t('protocol.status.ended')} · {alarm.state}
          </dd>
        </div>
        <div>
          <dt>{t('timeline.plan')}</dt>
          <dd>
            {alarm.plan.id}@{alarm.plan.version}
          </dd>
        </div>
        <div>
          <dt>{t('protocol.col.raised')}</dt>
          <dd>{dateTime(alarm.raisedAt)}</dd>
        </div>
        <div>
          <dt>{t('protocol.col.ended')}</dt>
          <dd>{dateTime(alarm.endedAt)}</dd>
        </div>
        <div>
          <dt>{t('timeline.chain')}</dt>
          <dd class={protocol.chain.ok ? 'ok' : 'error'}>
            {protocol.chain.ok
              ? t('timeline.chain.ok')
              : t('timeline.chain.broken', { seq: protocol.chain.seq ?? '?', reason: protocol.chain.reason ?? '' })}
          </dd>
        </div>
      </dl>

      {steps.length === 0 ? (
        <p class="notice">{t('timeline.empty')}</p>
      ) : (
        <>
          <Lanes
            timeline={timeline}
            steps={steps}
            selected={sel}
            onSelect={(seq) => setIndex(steps.findIndex((s) => s.seq === seq))}
            time={time}
          />

          <div class="scrubber" role="group" aria-label={t('timeline.scrubber')}>
            <button type="button" disabled={index <= 0} onClick={() => setIndex(index - 1)}>
              {t('timeline.prev')}
            </button>
            <input
              type="range"
              min={0}
              max={steps.length - 1}
              step={1}
              value={index}
              aria-label={t('timeline.scrubber')}
              aria-valuetext={selected ? stepLabel(selected) : ''}
              onInput={(e) => setIndex(Number((e.target as HTMLInputElement).value))}
            />
            <button type="button" disabled={index >= steps.length - 1} onClick={() => setIndex(index + 1)}>
              {t('timeline.next')}
            </button>
            <span class="muted" aria-hidden="true">
              {selected ? t('timeline.position', { seq: selected.seq, n: steps.length }) : ''}
            </span>
          </div>

          <div class="timeline-grid">
            {selected && <StepDetails step={selected} time={time} />}
            <PlanDiagram
              plan={chart.plan}
              active={activePaths}
              title={t('timeline.chart')}
              label={t('timeline.chart.label', { state: activePaths.length ? activePaths.join(', ') : '—' })}
              notice={chart.complete || chart.plan === undefined ? undefined : t('timeline.chart.partial')}
            />
          </div>

          <div class="replay-bar">
            <button type="button" class="primary" disabled={replay === 'running'} onClick={() => void runReplay()}>
              {t('timeline.replay')}
            </button>
            <div role="status" data-testid="replay-status" aria-live="polite">
              {replay === 'running' && (
                <span>
                  <progress aria-label={t('timeline.replay.running')} /> {t('timeline.replay.running')}
                </span>
              )}
              {replay !== undefined && replay !== 'running' && replay.ok && (
                <p class="ok">{t('timeline.replay.ok', { n: replay.steps, plan: replay.plan })}</p>
              )}
              {replay !== undefined && replay !== 'running' && !replay.ok && (
                <div class="error">
                  <p>{t('timeline.replay.diverged', { seq: replay.seq, reason: replay.reason, plan: replay.plan })}</p>
                  <div class="diff">
                    <div>
                      <h3>{t('timeline.replay.expected')}</h3>
                      <pre>{JSON.stringify(replay.expected, null, 2)}</pre>
                    </div>
                    <div>
                      <h3>{t('timeline.replay.actual')}</h3>
                      <pre>{JSON.stringify(replay.actual, null, 2)}</pre>
                    </div>
                  </div>
                </div>
              )}
            </div>
          </div>

          <table class="list timeline-steps" data-testid="timeline-steps">
            <caption class="muted">{t('timeline.table', { n: steps.length })}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('timeline.col.at')}</th>
                <th scope="col">{t('timeline.col.event')}</th>
                <th scope="col">{t('timeline.col.transition')}</th>
                <th scope="col">{t('timeline.col.actor')}</th>
                <th scope="col">{t('timeline.col.note')}</th>
              </tr>
            </thead>
            <tbody>
              {steps.map((s, i) => (
                <tr
                  key={s.seq}
                  class={s.seq === sel ? 'selected' : undefined}
                  aria-current={s.seq === sel ? 'step' : undefined}
                  data-testid="timeline-step"
                >
                  <td>
                    <button type="button" class="link-button" onClick={() => setIndex(i)} aria-label={stepLabel(s)}>
                      {s.seq}
                    </button>
                  </td>
                  <td>{time(s.at)}</td>
                  <td>{eventType(s)}</td>
                  <td>
                    {s.fromState ?? '∅'} → {s.toState}
                  </td>
                  <td>
                    {s.actor.kind}:{s.actor.id}
                  </td>
                  <td>{s.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
