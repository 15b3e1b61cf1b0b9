/**
 * Administration › Escalation plans (`/admin/plans`): each plan with its versions (GET
 * /api/v1/plans), a page at a time, filtered by id; a link to the editor per plan; a form to
 * start a new plan; and, for holders of `administration.plans.disable`, disabling or
 * re-enabling a version (POST …/versions/:v/disable|enable).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';
import { LOCALE } from '../i18n/i18n.ts';
import { PageNav, SearchField } from '../list-controls.tsx';
import { newest, type PlanSummary, type PlanVersion } from './plan-api.ts';
import './plans.css';

export const PLANS_PAGE_SIZE = 10;
const PLAN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function PlansPage({ permissions }: { permissions: readonly string[] }) {
  const { t, lang, navigate } = useConsole();
  const [plans, setPlans] = useState<readonly PlanSummary[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const [newId, setNewId] = useState('');
  const [busy, setBusy] = useState<string | undefined>();
  const mayDisable = permissions.includes('administration.plans.disable');

  const fail = useCallback(
    (err: unknown) => setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) })),
    [t],
  );
  const load = useCallback(
    () =>
      api
        .get<{ plans: PlanSummary[] }>('/api/v1/plans')
        .then((r) => setPlans(r.plans))
        .catch(fail),
    [fail],
  );
  useEffect(() => void load(), [load]);

  async function toggle(id: string, v: PlanVersion) {
    const action = v.disabledAt === null ? 'disable' : 'enable';
    setBusy(`${id}@${v.version}`);
    setError(undefined);
    try {
      await api.post(`/api/v1/plans/${encodeURIComponent(id)}/versions/${v.version}/${action}`);
      await load();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(undefined);
    }
  }

  const time = (s: string | null) =>
    s === null ? '—' : new Date(s).toLocaleString(LOCALE[lang], { dateStyle: 'short', timeStyle: 'short' });
  const open = (id: string) => navigate(`/admin/plans/${encodeURIComponent(id)}`);
  const shown = (plans ?? []).filter((p) => p.id.toLowerCase().includes(filter.trim().toLowerCase()));
  const pages = Math.max(1, Math.ceil(shown.length / PLANS_PAGE_SIZE));
  const current = shown.slice(page * PLANS_PAGE_SIZE, (page + 1) * PLANS_PAGE_SIZE);
  const validNew = PLAN_ID.test(newId.trim());

  return (
    <section class="plans" aria-labelledby="plans-title">
      <h1 id="plans-title">{t('plans.title')}</h1>
      <div class="plans-bar">
        <form
          class="tool-form"
          aria-label={t('plans.new.label')}
          onSubmit={(e) => {
            e.preventDefault();
            if (validNew) open(newId.trim());
          }}
        >
          <label>
            {t('plans.new.id')}
            <input
              type="text"
              name="planId"
              value={newId}
              pattern="[A-Za-z0-9_\-]{1,64}"
              aria-describedby="plans-new-help"
              onInput={(e) => setNewId((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={!validNew}>
            {plans?.some((p) => p.id === newId.trim()) ? t('plans.new.open') : t('plans.new.create')}
          </button>
          <span id="plans-new-help" class="muted">
            {t('plans.new.help')}
          </span>
        </form>
        <SearchField
          class="inline"
          label={t('plans.filter')}
          value={filter}
          onSearch={(v) => {
            setFilter(v);
            setPage(0);
          }}
        />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!plans && !error && <p>{t('common.loading')}</p>}
      {plans && shown.length === 0 && (
        <section class="notice" data-testid="plans-empty">
          <h2>{t('plans.empty.title')}</h2>
          <p>{filter.trim() ? t('plans.empty.filtered') : t('plans.empty.none')}</p>
        </section>
      )}
      {current.length > 0 && (
        <table class="list plans-table" data-testid="plans-table">
          <caption class="muted">{t('plans.caption', { n: shown.length, page: page + 1, pages })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('plans.col.plan')}</th>
              <th scope="col">{t('plans.col.newest')}</th>
              <th scope="col">{t('plans.col.versions')}</th>
            </tr>
          </thead>
          <tbody>
            {current.map((p) => {
              const top = newest(p);
              return (
                <tr key={p.id} data-testid="plan-row" data-id={p.id}>
                  <th scope="row">
                    <a
                      href={`/admin/plans/${encodeURIComponent(p.id)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        open(p.id);
                      }}
                    >
                      {p.id}
                    </a>
                  </th>
                  <td>
                    {top
                      ? t('plans.newest', {
                          version: top.version,
                          at: time(top.publishedAt),
                          by: top.publishedBy ?? '—',
                        })
                      : '—'}
                  </td>
                  <td>
                    <ul class="versions">
                      {[...p.versions]
                        .sort((a, b) => b.version - a.version)
                        .map((v) => (
                          <li key={v.version} data-version={v.version}>
                            <span>{t('plans.version', { version: v.version })}</span>{' '}
                            <span class={v.disabledAt === null ? 'ok' : 'warning'}>
                              {v.disabledAt === null ? t('plans.enabled') : t('plans.disabled')}
                            </span>{' '}
                            <span class="muted">{v.environment === '*' ? t('plans.shared') : v.environment}</span>
                            {mayDisable && (
                              <button
                                type="button"
                                disabled={busy !== undefined}
                                aria-label={`${v.disabledAt === null ? t('plans.disable') : t('plans.enable')} ${p.id}@${v.version}`}
                                onClick={() => void toggle(p.id, v)}
                              >
                                {v.disabledAt === null ? t('plans.disable') : t('plans.enable')}
                              </button>
                            )}
                          </li>
                        ))}
                    </ul>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
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
