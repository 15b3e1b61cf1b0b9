/**
 * A what-if run's outcome: the totals, then each alarm (changed ones first shown; the unchanged
 * on request) with what would have differed and who was called when, recorded against the
 * alternative plan, a page at a time.
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { PageNav } from '../list-controls.tsx';
import { formatDuration, stateLabel } from './plan-format.ts';
import { differenceText, SUMMARY_KEYS, type Notified, type WhatIfReport } from './what-if-model.ts';

export const WHAT_IF_PAGE_SIZE = 10;

export function WhatIfResults({ report }: { report: WhatIfReport }) {
  const { t, lang, navigate } = useConsole();
  const [all, setAll] = useState(false);
  const [page, setPage] = useState(0);
  const d = (ms: number) => formatDuration(ms, LOCALE[lang]);
  const time = (s: string) => new Date(s).toLocaleString(LOCALE[lang], { dateStyle: 'short', timeStyle: 'medium' });
  const shown = report.alarms.filter((a) => all || 'error' in a || a.changed);
  const pages = Math.max(1, Math.ceil(shown.length / WHAT_IF_PAGE_SIZE));
  const current = shown.slice(page * WHAT_IF_PAGE_SIZE, (page + 1) * WHAT_IF_PAGE_SIZE);
  const calls = (list: readonly Notified[]) =>
    list.length === 0 ? '—' : list.map((n) => `${n.recipient} (${n.group}, ${d(n.at)})`).join(', ');

  return (
    <section class="what-if-results" aria-labelledby="what-if-results-title" data-testid="what-if-results">
      <h2 id="what-if-results-title">{t('plans.whatIf.results', { plan: report.plan })}</h2>
      <dl class="facts what-if-summary" data-testid="what-if-summary">
        {SUMMARY_KEYS.map((k) => (
          <div key={k}>
            <dt>{t(`plans.whatIf.summary.${k}`)}</dt>
            <dd data-key={k}>{report.summary[k]}</dd>
          </div>
        ))}
      </dl>
      <label class="check">
        <input
          type="checkbox"
          checked={all}
          onChange={(e) => {
            setAll((e.target as HTMLInputElement).checked);
            setPage(0);
          }}
        />
        {t('plans.whatIf.showUnchanged')}
      </label>
      {shown.length === 0 && <p class="notice">{t('plans.whatIf.noChanges')}</p>}
      <ol class="what-if-alarms">
        {current.map((a) => (
          <li key={a.alarmId} class="card" data-testid="what-if-alarm" data-id={a.alarmId}>
            <h3>
              <a
                href={`/alarms/${encodeURIComponent(a.alarmId)}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/alarms/${encodeURIComponent(a.alarmId)}`);
                }}
              >
                {time(a.raisedAt)}
              </a>{' '}
              <span class="muted">{t('plans.whatIf.ran', { plan: a.plan })}</span>
            </h3>
            {'error' in a ? (
              <p class="error">{a.error}</p>
            ) : (
              <>
                <ul class="differences">
                  {a.differences.length === 0 && <li class="muted">{t('plans.whatIf.same')}</li>}
                  {a.differences.map((x, i) => {
                    const { key, params } = differenceText(x, d);
                    return (
                      <li key={i} data-testid="what-if-difference" data-kind={x.kind}>
                        {t(key, params)}
                      </li>
                    );
                  })}
                </ul>
                <dl class="facts">
                  <dt>{t('plans.whatIf.recorded')}</dt>
                  <dd>
                    {calls(a.recorded.notifications)} · {stateLabel(a.recorded.end.state)}
                  </dd>
                  <dt>{t('plans.whatIf.alternative')}</dt>
                  <dd>
                    {calls(a.alternative.notifications)} · {stateLabel(a.alternative.end.state)}
                  </dd>
                </dl>
              </>
            )}
          </li>
        ))}
      </ol>
      <PageNav
        label={t('plans.pages')}
        previous={t('plans.previous')}
        next={t('plans.next')}
        position={t('plans.pageOf', { page: page + 1, pages })}
        page={page}
        pages={pages}
        onPage={setPage}
      />
    </section>
  );
}
