/**
 * One alarm on the board: priority as colour AND text, type, location, text, state, elapsed
 * time, countdown to the next escalation, who was notified (delivery and response, in words and
 * symbols, never by colour alone), and the actions the user's permissions allow.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { ForwardButton } from '../ops/forward-dialog.tsx';
import {
  formatDuration,
  nextEscalation,
  priorityBand,
  recipientPhase,
  sourceOf,
  stateLabel,
  type AlarmView,
  type RecipientPhase,
} from './board-model.ts';

const PHASE_SYMBOL: Readonly<Record<RecipientPhase, string>> = {
  accepted: '✔',
  rejected: '✖',
  delivered: '●',
  sent: '○',
  failed: '⚠',
  withdrawn: '–',
  pending: '…',
};

/** The `by` of a cancel or response: the login name when it is a valid id, else `console`. */
const byOf = (me: Me) => (/^[A-Za-z0-9_-]{1,64}$/.test(me.loginName) ? me.loginName : 'console');

export function AlarmCard({ alarm, now, me }: { alarm: AlarmView; now: number; me: Me }) {
  const { t, lang } = useConsole();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const band = priorityBand(alarm.priority);
  const next = alarm.status === 'active' ? nextEscalation(alarm) : undefined;
  const raised = Date.parse(alarm.raisedAt);
  const ended = alarm.endedAt === null ? undefined : Date.parse(alarm.endedAt);
  const time = (ms: number) =>
    new Intl.DateTimeFormat(LOCALE[lang], { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
  const can = (p: string) => me.permissions.includes(p);
  const titleId = `alarm-${alarm.id}`;
  const from = sourceOf(alarm.source);

  const act = async (path: string, body: unknown) => {
    setError(undefined);
    try {
      await api.post(`/api/v1/alarms/${encodeURIComponent(alarm.id)}/${path}`, body);
    } catch (err) {
      setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) }));
    }
  };

  return (
    <article
      class={`alarm prio-${band} status-${alarm.status}`}
      aria-labelledby={titleId}
      data-testid="alarm"
      data-alarm-id={alarm.id}
    >
      <header>
        <span class="prio" data-testid="priority">
          <span aria-hidden="true">
            {band === 'critical' ? '▲▲' : band === 'high' ? '▲' : band === 'medium' ? '■' : '▽'}
          </span>{' '}
          {t(`priority.${band}`)} · P{alarm.priority}
        </span>
        <h3 id={titleId}>
          <span class="type">{alarm.type}</span>
          {alarm.location && <span class="location"> · {alarm.location}</span>}
        </h3>
        <span class="state" data-testid="state">
          {alarm.status === 'ended' ? t('alarm.ended') : t('alarm.state')}: {stateLabel(alarm.state)}
        </span>
      </header>
      <p class="text">{alarm.text}</p>
      <dl class="times">
        <div>
          <dt>{t('alarm.raised')}</dt>
          <dd>{time(raised)}</dd>
        </div>
        <div>
          <dt>{t('alarm.source')}</dt>
          <dd class="source" data-testid="source">
            {(from.known
              ? t(`source.${from.known}`, { device: from.device })
              : t('source.other', { adapter: from.adapter, device: from.device })
            ).trim()}
          </dd>
        </div>
        <div>
          <dt>{ended === undefined ? t('alarm.elapsed') : t('alarm.duration')}</dt>
          <dd data-testid="elapsed">{formatDuration((ended ?? now) - raised)}</dd>
        </div>
        {alarm.status === 'active' && (
          <div>
            <dt>{t('alarm.next')}</dt>
            <dd data-testid="next">{next === undefined ? t('alarm.noNext') : formatDuration(next - now)}</dd>
          </div>
        )}
      </dl>
      {alarm.recipients.length === 0 ? (
        <p class="muted">{t('alarm.nobody')}</p>
      ) : (
        <table class="recipients">
          <caption class="sr-only">{t('alarm.recipients')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('alarm.recipient')}</th>
              <th scope="col">{t('alarm.group')}</th>
              <th scope="col">{t('alarm.status')}</th>
              <th scope="col">{t('alarm.at')}</th>
              {can('operation.alarms.respond') && alarm.status === 'active' && (
                <th scope="col">{t('alarm.actions')}</th>
              )}
            </tr>
          </thead>
          <tbody>
            {alarm.recipients.map((r) => {
              const phase = recipientPhase(r);
              const at = r.respondedAt ?? r.deliveredAt ?? r.sentAt;
              const open = r.response === null && phase !== 'withdrawn' && phase !== 'failed';
              return (
                <tr key={r.notificationId} class={`phase-${phase}`} data-testid="recipient">
                  <td>{r.recipient}</td>
                  <td>
                    {r.group?.startsWith('forward:')
                      ? t('ops.forward.group', { n: r.group.slice('forward:'.length) })
                      : (r.group ?? '—')}
                    {r.round > 1 ? ` (${t('alarm.round', { n: r.round })})` : ''}
                  </td>
                  <td data-testid="phase">
                    <span aria-hidden="true">{PHASE_SYMBOL[phase]} </span>
                    {t(`phase.${phase}`)}
                  </td>
                  <td>{at ? time(Date.parse(at)) : '—'}</td>
                  {can('operation.alarms.respond') && alarm.status === 'active' && (
                    <td>
                      <div class="row-actions">
                        {open && (
                          <>
                            <button
                              type="button"
                              onClick={() => act('responses', { response: 'accept', by: r.recipient })}
                              aria-label={t('alarm.acceptFor', { name: r.recipient })}
                            >
                              {t('alarm.accept')}
                            </button>
                            <button
                              type="button"
                              onClick={() => act('responses', { response: 'reject', by: r.recipient })}
                              aria-label={t('alarm.rejectFor', { name: r.recipient })}
                            >
                              {t('alarm.reject')}
                            </button>
                          </>
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {alarm.status === 'active' && (can('operation.alarms.cancel-all') || can('operation.alarms.forward')) && (
        <div class="actions">
          {can('operation.alarms.forward') && (
            <ForwardButton alarmId={alarm.id} label={`${alarm.type}${alarm.location ? ` · ${alarm.location}` : ''}`} />
          )}
          {confirming ? (
            <>
              <button
                type="button"
                class="danger"
                autoFocus
                onClick={() => void act('cancel', { by: byOf(me), reason: 'cancelled on the web console' })}
              >
                {t('alarm.cancelConfirm')}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t('alarm.cancelKeep')}
              </button>
            </>
          ) : (
            can('operation.alarms.cancel-all') && (
              <button type="button" onClick={() => setConfirming(true)}>
                {t('alarm.cancel')}
              </button>
            )
          )}
        </div>
      )}
    </article>
  );
}
