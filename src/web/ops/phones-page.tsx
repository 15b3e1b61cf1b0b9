/**
 * Operation › Phones: each handset of the DECT link with its state, charger, battery, last
 * location (base station) and user, a page at a time; a locating alert (the handset rings so
 * that it can be found) and the position on demand. Without a DECT link, or with the link in
 * another environment, the page says so and what to do. The API checks every permission again.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { SearchField } from '../list-controls.tsx';
import { paged, Pager } from './pager.tsx';
import './ops.css';

interface Phone {
  readonly ppn: number;
  readonly number?: string;
  readonly name?: string;
  readonly model?: string;
  readonly loggedOn?: boolean;
  readonly inCharger?: boolean;
  readonly batteryLevel?: number;
  readonly rfp?: number;
  readonly location?: string;
  readonly lastSeen: string;
}
interface PhoneList {
  readonly link: 'up' | 'down' | 'none' | 'unknown';
  readonly phones: readonly Phone[];
}
interface Base {
  readonly rfp: number;
  readonly rssiAvg?: number;
  readonly location?: string;
}

/** Below this battery level a handset is flagged (in words, not by colour alone). */
const LOW_BATTERY = 20;

/**
 * `permissions`: the user's; the locating alert and the position need
 * operation.phones.locating-alert (a technician with only system.phones reads the list).
 */
export function PhonesPage({ permissions }: { permissions: readonly string[] }) {
  const { t, lang } = useConsole();
  const mayLocate = permissions.includes('operation.phones.locating-alert');
  const [list, setList] = useState<PhoneList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();

  const load = async () => {
    setError(undefined);
    try {
      setList(await api.get<PhoneList>('/api/v1/phones'));
    } catch (err) {
      setError(t('ops.error', { detail: err instanceof Error ? err.message : String(err) }));
    }
  };
  useEffect(() => void load(), []);

  const fail = (err: unknown) => setNotice({ text: err instanceof ApiError ? err.detail : String(err), error: true });

  const locate = async (number: string) => {
    setNotice(undefined);
    try {
      await api.post(`/api/v1/phones/${encodeURIComponent(number)}/locating-alert`, {});
      setNotice({ text: t('ops.phones.locateSent', { number }) });
    } catch (err) {
      fail(err);
    }
  };
  const position = async (number: string) => {
    setNotice({ text: t('ops.phones.positionAsking', { number }) });
    try {
      const p = await api.get<{ best: Base | null }>(`/api/v1/phones/${encodeURIComponent(number)}/position`);
      setNotice({
        text: p.best
          ? t('ops.phones.positionAt', {
              number,
              place: p.best.location ?? t('ops.phones.rfp', { rfp: p.best.rfp }),
              rssi: p.best.rssiAvg ?? '?',
            })
          : t('ops.phones.positionNone', { number }),
      });
    } catch (err) {
      fail(err);
    }
  };

  const time = (iso: string) =>
    new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'short', timeStyle: 'medium' }).format(Date.parse(iso));
  const needle = filter.trim().toLowerCase();
  const phones = (list?.phones ?? []).filter(
    (p) =>
      needle === '' ||
      [p.number, p.name, p.location, p.rfp === undefined ? undefined : String(p.rfp)].some((v) =>
        v?.toLowerCase().includes(needle),
      ),
  );
  const view = paged(phones, page);

  const empty = (title: string, body: string) => (
    <div class="empty" data-testid="phones-empty">
      <h2>{title}</h2>
      <p>{body}</p>
    </div>
  );

  return (
    <section class="ops-page" aria-labelledby="phones-title">
      <div class="ops-head">
        <h1 id="phones-title">{t('nav.phones')}</h1>
        <button type="button" onClick={() => void load()}>
          {t('ops.refresh')}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list === undefined && !error && <p class="loading">{t('ops.loading')}</p>}
      {list?.link === 'none' && empty(t('ops.phones.noneTitle'), t('ops.phones.noneBody'))}
      {list?.link === 'unknown' && empty(t('ops.phones.unknownTitle'), t('ops.phones.unknownBody'))}
      {list?.link === 'down' && (
        <p class="warning" role="status" data-testid="link-down">
          {t('ops.phones.linkDown')}
        </p>
      )}
      {(list?.link === 'up' || list?.link === 'down') &&
        list.phones.length === 0 &&
        empty(t('ops.phones.emptyTitle'), t('ops.phones.emptyBody'))}
      {notice && (
        <p class={notice.error ? 'error' : 'ok'} role={notice.error ? 'alert' : 'status'} data-testid="phones-notice">
          {notice.text}
        </p>
      )}
      {list !== undefined && list.phones.length > 0 && (
        <>
          <SearchField
            class="ops-filter"
            label={t('ops.filter')}
            value={filter}
            placeholder={t('ops.phones.filterHint')}
            onSearch={(v) => {
              setFilter(v);
              setPage(0);
            }}
          />
          {phones.length === 0 ? (
            <p class="muted">{t('ops.emptyFiltered')}</p>
          ) : (
            <table class="list ops-table" data-testid="phones">
              <caption>{t('ops.phones.caption', { n: phones.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ops.phones.col.number')}</th>
                  <th scope="col">{t('ops.phones.col.user')}</th>
                  <th scope="col">{t('ops.phones.col.state')}</th>
                  <th scope="col">{t('ops.phones.col.charger')}</th>
                  <th scope="col">{t('ops.phones.col.battery')}</th>
                  <th scope="col">{t('ops.phones.col.location')}</th>
                  <th scope="col">{t('ops.phones.col.lastSeen')}</th>
                  {mayLocate && <th scope="col">{t('ops.phones.col.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {view.rows.map((p) => {
                  const low = p.batteryLevel !== undefined && p.batteryLevel < LOW_BATTERY;
                  return (
                    <tr key={p.ppn} data-testid="phone" data-number={p.number ?? ''}>
                      <th scope="row">{p.number ?? <span class="muted">{t('ops.phones.noNumber')}</span>}</th>
                      <td>{p.name ?? '—'}</td>
                      <td data-testid="phone-state">
                        {p.loggedOn === undefined
                          ? t('ops.phones.unknown')
                          : p.loggedOn
                            ? `● ${t('ops.phones.loggedOn')}`
                            : `○ ${t('ops.phones.loggedOff')}`}
                      </td>
                      <td data-testid="phone-charger">
                        {p.inCharger === undefined
                          ? '—'
                          : p.inCharger
                            ? `⚡ ${t('ops.phones.inCharger')}`
                            : t('ops.phones.notInCharger')}
                      </td>
                      <td data-testid="phone-battery" class={low ? 'ops-low' : undefined}>
                        {p.batteryLevel === undefined ? (
                          '—'
                        ) : (
                          <>
                            <meter
                              min={0}
                              max={100}
                              low={LOW_BATTERY}
                              optimum={100}
                              value={p.batteryLevel}
                              aria-hidden="true"
                            />{' '}
                            {low ? t('ops.phones.batteryLow', { n: p.batteryLevel }) : `${p.batteryLevel} %`}
                          </>
                        )}
                      </td>
                      <td>
                        {p.location ?? (p.rfp === undefined ? '—' : '')}
                        {p.rfp !== undefined && (
                          <span class="muted">
                            {p.location ? ' · ' : ''}
                            {t('ops.phones.rfp', { rfp: p.rfp })}
                          </span>
                        )}
                      </td>
                      <td>{time(p.lastSeen)}</td>
                      {mayLocate && (
                        <td>
                          {p.number !== undefined && (
                            <div class="row-actions">
                              <button
                                type="button"
                                onClick={() => void locate(p.number!)}
                                aria-label={t('ops.phones.locateFor', { number: p.number })}
                              >
                                {t('ops.phones.locate')}
                              </button>
                              <button
                                type="button"
                                onClick={() => void position(p.number!)}
                                aria-label={t('ops.phones.positionFor', { number: p.number })}
                              >
                                {t('ops.phones.position')}
                              </button>
                            </div>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <Pager page={view.page} pages={view.pages} onPage={setPage} />
        </>
      )}
    </section>
  );
}
