/**
 * Operation › Contacts: the people and numbers outside Tocsin's users that alarms can reach
 * (GET /api/v1/contacts, the caller's environments), read-only, filterable, a page at a time,
 * with tel: and mailto: links. Administrators edit them in the configuration.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';
import { SearchField } from '../list-controls.tsx';
import { paged, Pager } from './pager.tsx';
import './ops.css';

interface Contact {
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly email?: string;
  readonly phone?: string;
}

export function ContactsPage() {
  const { t } = useConsole();
  const [contacts, setContacts] = useState<readonly Contact[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);

  const load = async () => {
    setError(undefined);
    try {
      setContacts((await api.get<{ contacts: Contact[] }>('/api/v1/contacts')).contacts);
    } catch (err) {
      setError(t('ops.error', { detail: err instanceof Error ? err.message : String(err) }));
    }
  };
  useEffect(() => void load(), []);

  const needle = filter.trim().toLowerCase();
  const shown = (contacts ?? []).filter(
    (c) => needle === '' || [c.name, c.id, c.phone, c.email].some((v) => v?.toLowerCase().includes(needle)),
  );
  const view = paged(shown, page);
  const environments = new Set((contacts ?? []).map((c) => c.environment));

  return (
    <section class="ops-page" aria-labelledby="contacts-title">
      <div class="ops-head">
        <h1 id="contacts-title">{t('nav.contacts')}</h1>
        <button type="button" onClick={() => void load()}>
          {t('ops.refresh')}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {contacts === undefined && !error && <p class="loading">{t('ops.loading')}</p>}
      {contacts?.length === 0 && (
        <div class="empty" data-testid="contacts-empty">
          <h2>{t('ops.contacts.emptyTitle')}</h2>
          <p>{t('ops.contacts.emptyBody')}</p>
        </div>
      )}
      {contacts !== undefined && contacts.length > 0 && (
        <>
          <SearchField
            class="ops-filter"
            label={t('ops.filter')}
            value={filter}
            placeholder={t('ops.contacts.filterHint')}
            onSearch={(v) => {
              setFilter(v);
              setPage(0);
            }}
          />
          {shown.length === 0 ? (
            <p class="muted">{t('ops.emptyFiltered')}</p>
          ) : (
            <table class="list ops-table" data-testid="contacts">
              <caption>{t('ops.contacts.caption', { n: shown.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ops.contacts.col.name')}</th>
                  <th scope="col">{t('ops.contacts.col.phone')}</th>
                  <th scope="col">{t('ops.contacts.col.email')}</th>
                  {environments.size > 1 && <th scope="col">{t('ops.contacts.col.environment')}</th>}
                </tr>
              </thead>
              <tbody>
                {view.rows.map((c) => (
                  <tr key={`${c.environment}/${c.id}`} data-testid="contact">
                    <th scope="row">{c.name}</th>
                    <td>
                      {c.phone ? (
                        <a
                          href={`tel:${c.phone.replace(/[^+0-9]/g, '')}`}
                          aria-label={t('ops.contacts.callTo', { name: c.name })}
                        >
                          {c.phone}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {c.email ? (
                        <a href={`mailto:${c.email}`} aria-label={t('ops.contacts.mailTo', { name: c.name })}>
                          {c.email}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                    {environments.size > 1 && <td>{c.environment}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager page={view.page} pages={view.pages} onPage={setPage} />
        </>
      )}
    </section>
  );
}
