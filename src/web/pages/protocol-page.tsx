/**
 * Operation › Protocol: the alarms of the caller's environments (GET /api/v1/protocol, needs
 * `operation.protocol`) filtered by raised time, type, location, user, status and plan state,
 * a page at a time (newest first; "Older" follows the server's `nextBefore` cursor), and the
 * export of everything matching as CSV or JSON (GET /api/v1/protocol/export, with the session
 * cookie). Each row's raised time links to the alarm's timeline (`/alarms/{id}`). The export is read as a stream so the page can show how much has arrived, then
 * handed to the browser as a download under the server's file name.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { priorityBand } from '../board/board-model.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { CursorPager, ExportBar, FilterForm, useExport, useFilters } from '../list-controls.tsx';

interface ProtocolRow {
  readonly id: string;
  readonly type: string;
  readonly priority: number;
  readonly text: string;
  readonly location: string | null;
  readonly status: 'active' | 'ended';
  readonly state: string;
  readonly raisedAt: string;
  readonly endedAt: string | null;
  readonly notified: readonly { readonly recipient: string; readonly status: string }[];
  readonly responses: readonly {
    readonly by: string;
    readonly response: 'accept' | 'reject';
    readonly at: string | null;
  }[];
}

interface Filters {
  from: string;
  to: string;
  type: string;
  location: string;
  user: string;
  status: '' | 'active' | 'ended';
  state: string;
}

const NO_FILTER: Filters = { from: '', to: '', type: '', location: '', user: '', status: '', state: '' };
export const PROTOCOL_PAGE_SIZE = 25;

/** The query string of `f` (datetime-local values are local times: sent as ISO UTC). */
function queryOf(f: Filters): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f) as [keyof Filters, string][]) {
    const s = v.trim();
    if (s === '') continue;
    q.set(k, k === 'from' || k === 'to' ? new Date(s).toISOString() : s);
  }
  return q;
}

export function ProtocolPage() {
  const { t, lang, navigate } = useConsole();
  const f = useFilters<Filters, string>(NO_FILTER);
  const { draft, setDraft, filters, cursors, setCursors } = f;
  const [page, setPage] = useState<{ alarms: readonly ProtocolRow[]; nextBefore: string | null } | undefined>();
  const [error, setError] = useState<string | undefined>();

  const fail = useCallback(
    (err: unknown) => setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) })),
    [t],
  );
  const exporter = useExport({
    url: (format) => {
      const q = queryOf(filters);
      q.set('format', format);
      return `/api/v1/protocol/export?${q}`;
    },
    fallbackName: (format) => `tocsin-protocol.${format}`,
    done: (name) => t('protocol.export.done', { name }),
    onStart: () => setError(undefined),
    onError: fail,
  });

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const q = queryOf(filters);
    q.set('limit', String(PROTOCOL_PAGE_SIZE));
    if (cursor) q.set('before', cursor);
    setPage(undefined);
    setError(undefined);
    api.get<{ alarms: ProtocolRow[]; nextBefore: string | null }>(`/api/v1/protocol?${q}`).then(setPage).catch(fail);
  }, [filters, cursor, fail]);

  const time = (s: string | null) =>
    s === null
      ? '—'
      : new Date(s).toLocaleString(LOCALE[lang], {
          dateStyle: 'short',
          timeStyle: 'medium',
        });

  const field = (name: Exclude<keyof Filters, 'status'>, when = false) => {
    const props = {
      name,
      value: draft[name],
      onInput: (e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value }),
    };
    return (
      <label>
        {t(`protocol.filter.${name}`)}
        {when ? <input type="datetime-local" step={1} {...props} /> : <input type="text" {...props} />}
      </label>
    );
  };

  const filtered = Object.values(filters).some((v) => v.trim() !== '');
  return (
    <section class="protocol" aria-labelledby="protocol-title">
      <h1 id="protocol-title">{t('protocol.title')}</h1>
      <FilterForm
        label={t('protocol.filters')}
        apply={t('protocol.apply')}
        reset={t('protocol.reset')}
        onApply={f.apply}
        onReset={f.reset}
      >
        {field('from', true)}
        {field('to', true)}
        {field('type')}
        {field('location')}
        {field('user')}
        <label>
          {t('protocol.filter.status')}
          <select
            name="status"
            value={draft.status}
            onChange={(e) => setDraft({ ...draft, status: (e.target as HTMLSelectElement).value as Filters['status'] })}
          >
            <option value="">{t('protocol.status.any')}</option>
            <option value="active">{t('protocol.status.active')}</option>
            <option value="ended">{t('protocol.status.ended')}</option>
          </select>
        </label>
        {field('state')}
      </FilterForm>

      <ExportBar
        csv={t('protocol.export.csv')}
        json={t('protocol.export.json')}
        exporter={exporter}
        progress={(p) => t('protocol.export.progress', p)}
      />

      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && <p>{t('common.loading')}</p>}
      {page && page.alarms.length === 0 && (
        <section class="notice" data-testid="protocol-empty">
          <h2>{t('protocol.empty.title')}</h2>
          <p>{filtered ? t('protocol.empty.filtered') : t('protocol.empty.none')}</p>
        </section>
      )}
      {page && page.alarms.length > 0 && (
        <table class="list protocol-table" data-testid="protocol-table">
          <caption class="muted">{t('protocol.caption', { n: page.alarms.length, page: cursors.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('protocol.col.raised')}</th>
              <th scope="col">{t('protocol.col.type')}</th>
              <th scope="col">{t('protocol.col.priority')}</th>
              <th scope="col">{t('protocol.col.text')}</th>
              <th scope="col">{t('protocol.col.location')}</th>
              <th scope="col">{t('protocol.col.state')}</th>
              <th scope="col">{t('protocol.col.notified')}</th>
              <th scope="col">{t('protocol.col.responses')}</th>
              <th scope="col">{t('protocol.col.ended')}</th>
            </tr>
          </thead>
          <tbody>
            {page.alarms.map((a) => (
              <tr key={a.id} data-testid="protocol-row" data-id={a.id}>
                <td>
                  <a
                    href={`/alarms/${encodeURIComponent(a.id)}`}
                    title={t('protocol.timeline')}
                    aria-label={`${time(a.raisedAt)}: ${t('protocol.timeline')}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/alarms/${encodeURIComponent(a.id)}`);
                    }}
                  >
                    {time(a.raisedAt)}
                  </a>
                </td>
                <td>{a.type}</td>
                <td>
                  {t(`priority.${priorityBand(a.priority)}`)} · P{a.priority}
                </td>
                <td>{a.text}</td>
                <td>{a.location ?? '—'}</td>
                <td>
                  {a.status === 'active' ? t('protocol.status.active') : t('protocol.status.ended')} · {a.state}
                </td>
                <td>{a.notified.map((n) => n.recipient).join(', ') || '—'}</td>
                <td>
                  {a.responses
                    .map(
                      (r) =>
                        `${r.by}: ${r.response === 'accept' ? t('phase.accepted') : t('phase.rejected')} ${time(r.at)}`,
                    )
                    .join('; ') || '—'}
                </td>
                <td>{time(a.endedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <CursorPager
          label={t('protocol.pages')}
          newer={t('protocol.newer')}
          older={t('protocol.older')}
          cursors={cursors}
          nextBefore={page.nextBefore}
          onCursors={setCursors}
        />
      )}
    </section>
  );
}
