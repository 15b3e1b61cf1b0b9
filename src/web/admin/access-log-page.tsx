/**
 * System › Access log (`system.access-log`): the entries of the caller's environments (GET
 * /api/v1/access-log), newest first, filtered by time, actor, action (`user.*` for a family),
 * outcome and environment, 25 a page ("Older" follows `nextBefore`); the export of a time range
 * as CSV or JSON with progress (the export is itself logged); and the hash chain's check
 * (GET /api/v1/access-log/verify). A user's id as target is shown as the login name when the
 * caller may list users (`user-administration`).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { CursorPager, ExportBar, FilterForm, useExport, useFilters } from '../list-controls.tsx';
import { formErrors, messageOf } from './admin-model.ts';
import { Empty } from './admin-ui.tsx';
import { accessLogQuery, NO_LOG_FILTER, type LogFilters } from './access-log-query.ts';

interface Entry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly source: string | null;
  readonly action: string;
  readonly outcome: 'success' | 'failure' | 'denied';
  readonly target: string | null;
  readonly environment: string | null;
  readonly details: unknown;
}

type Verdict =
  | { ok: true; entries: number; head?: { seq: number; hash: string } }
  | { ok: false; entries: number; seq: number; reason: string };

export const ACCESS_LOG_PAGE_SIZE = 25;

export function AccessLogPage({ me }: { me: Me }) {
  const { t, lang } = useConsole();
  // User targets are ids: shown as login names for those who may list the users.
  const [logins, setLogins] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (!me.permissions.includes('user-administration')) return;
    api
      .get<{ users: { id: string; loginName: string }[] }>('/api/v1/users')
      .then((a) => setLogins(new Map(a.users.map((u) => [u.id, u.loginName]))))
      .catch(() => setLogins(new Map()));
  }, [me.permissions]);
  const f = useFilters<LogFilters, number>(NO_LOG_FILTER);
  const { draft, setDraft, filters, cursors, setCursors } = f;
  const [page, setPage] = useState<{ entries: readonly Entry[]; nextBefore: number | null } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<Readonly<Record<string, string>>>({});
  const [verdict, setVerdict] = useState<Verdict | 'checking' | undefined>();

  const fail = useCallback((err: unknown) => setError(t('common.error', { detail: messageOf(err) })), [t]);
  // The export is of a time range: the other filters do not apply to it.
  const exporter = useExport({
    url: (format) => {
      const q = accessLogQuery({ ...NO_LOG_FILTER, from: filters.from, to: filters.to });
      q.set('format', format);
      return `/api/v1/access-log/export?${q}`;
    },
    fallbackName: (format) => `tocsin-access-log.${format}`,
    done: (name) => t('admin.log.exportDone', { name }),
    onStart: () => setError(undefined),
    onError: fail,
  });
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const q = accessLogQuery(filters);
    q.set('limit', String(ACCESS_LOG_PAGE_SIZE));
    if (cursor !== undefined) q.set('before', String(cursor));
    setPage(undefined);
    setError(undefined);
    setFieldErrors({});
    api
      .get<{ entries: Entry[]; nextBefore: number | null }>(`/api/v1/access-log?${q}`)
      .then(setPage)
      .catch((err: unknown) => {
        setFieldErrors(formErrors(err).fields);
        fail(err);
      });
  }, [filters, cursor, fail]);

  const time = (s: string) => new Date(s).toLocaleString(LOCALE[lang], { dateStyle: 'short', timeStyle: 'medium' });

  const text = (name: 'actor' | 'action' | 'environment', hint?: string) => (
    <label>
      {t(`admin.log.filter.${name}`)}
      <input
        name={name}
        value={draft[name]}
        title={hint}
        aria-invalid={fieldErrors[name] !== undefined}
        onInput={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value })}
      />
      {fieldErrors[name] && <span class="error field-error">{fieldErrors[name]}</span>}
    </label>
  );
  const when = (name: 'from' | 'to') => (
    <label>
      {t(`admin.log.filter.${name}`)}
      <input
        type="datetime-local"
        step={1}
        name={name}
        value={draft[name]}
        aria-invalid={fieldErrors[name] !== undefined}
        onInput={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value })}
      />
      {fieldErrors[name] && <span class="error field-error">{fieldErrors[name]}</span>}
    </label>
  );

  async function verify() {
    setVerdict('checking');
    try {
      setVerdict(await api.get<Verdict>('/api/v1/access-log/verify'));
    } catch (err) {
      setVerdict(undefined);
      fail(err);
    }
  }

  const filtered = Object.values(filters).some((v) => v.trim() !== '');
  const outcomeName = (o: Entry['outcome']) => t(`admin.log.outcome.${o}`);
  return (
    <section class="admin protocol" aria-labelledby="log-title">
      <h1 id="log-title">{t('admin.log.title')}</h1>
      <FilterForm
        label={t('admin.log.filters')}
        apply={t('admin.log.apply')}
        reset={t('admin.log.reset')}
        onApply={f.apply}
        onReset={f.reset}
      >
        {when('from')}
        {when('to')}
        {text('actor')}
        {text('action', t('admin.log.actionHint'))}
        <label>
          {t('admin.log.filter.outcome')}
          <select
            name="outcome"
            value={draft.outcome}
            onChange={(e) =>
              setDraft({ ...draft, outcome: (e.currentTarget as HTMLSelectElement).value as LogFilters['outcome'] })
            }
          >
            <option value="">{t('admin.log.outcome.any')}</option>
            <option value="success">{outcomeName('success')}</option>
            <option value="failure">{outcomeName('failure')}</option>
            <option value="denied">{outcomeName('denied')}</option>
          </select>
        </label>
        {text('environment')}
      </FilterForm>

      <ExportBar
        csv={t('admin.log.exportCsv')}
        json={t('admin.log.exportJson')}
        exporter={exporter}
        progress={(p) => t('admin.log.exportProgress', p)}
      >
        <button type="button" disabled={verdict === 'checking'} onClick={() => void verify()}>
          {t('admin.log.verify')}
        </button>
      </ExportBar>
      {exporter.exporting && <progress class="export-progress" aria-label={t('admin.log.exporting')} />}
      <p class="muted">{t('admin.log.exportNote')}</p>
      {verdict && (
        <p
          role="status"
          data-testid="verify-result"
          class={verdict === 'checking' ? 'muted' : verdict.ok ? 'ok' : 'error'}
        >
          {verdict === 'checking'
            ? t('admin.log.verifying')
            : verdict.ok
              ? t('admin.log.verifyOk', {
                  entries: verdict.entries,
                  hash: verdict.head ? verdict.head.hash.slice(0, 16) : '—',
                })
              : t('admin.log.verifyBroken', { seq: verdict.seq, reason: verdict.reason })}
        </p>
      )}

      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && <p>{t('common.loading')}</p>}
      {page && page.entries.length === 0 && (
        <Empty title={t('admin.log.emptyTitle')}>
          {filtered ? t('admin.log.emptyFiltered') : t('admin.log.emptyNone')}
        </Empty>
      )}
      {page && page.entries.length > 0 && (
        <div class="table-scroll">
          <table class="list protocol-table" data-testid="log-table">
            <caption class="muted">{t('admin.log.caption', { n: page.entries.length, page: cursors.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.log.col.seq')}</th>
                <th scope="col">{t('admin.log.col.at')}</th>
                <th scope="col">{t('admin.log.col.actor')}</th>
                <th scope="col">{t('admin.log.col.action')}</th>
                <th scope="col">{t('admin.log.col.outcome')}</th>
                <th scope="col">{t('admin.log.col.target')}</th>
                <th scope="col">{t('admin.log.col.environment')}</th>
                <th scope="col">{t('admin.log.col.source')}</th>
                <th scope="col">{t('admin.log.col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.seq} data-testid="log-row" data-action={e.action} class={`outcome-${e.outcome}`}>
                  <td>{e.seq}</td>
                  <td>{time(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>{outcomeName(e.outcome)}</td>
                  <td class="wrap" title={e.target ?? undefined}>
                    {e.target === null ? '—' : (logins.get(e.target) ?? e.target)}
                  </td>
                  <td>{e.environment ?? '—'}</td>
                  <td>{e.source ?? '—'}</td>
                  <td class="details">
                    {e.details === null || e.details === undefined ? '—' : <code>{JSON.stringify(e.details)}</code>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && (
        <CursorPager
          label={t('admin.pages')}
          newer={t('admin.log.newer')}
          older={t('admin.log.older')}
          cursors={cursors}
          nextBefore={page.nextBefore}
          onCursors={setCursors}
        />
      )}
    </section>
  );
}
