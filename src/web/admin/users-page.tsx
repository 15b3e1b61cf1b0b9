/**
 * Administration › Users: the list (GET /api/v1/users, `user-administration`), filtered and in
 * pages of 25; with `administration.users.edit` also create, edit, lock and unlock, set the
 * password, erase personal data and delete (each asks first where it cannot be undone). The
 * built-in admin keeps its login name and group and cannot be erased or deleted (the server
 * refuses too). What the caller may not do is not offered; the server checks again. Delete
 * sends the version shown (If-Match): a user changed meanwhile is not deleted (412); the page
 * says so and shows the user as it is now.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { SearchField } from '../list-controls.tsx';
import { isStale, matchesQuery, messageOf, pageOf, type GroupRow, type UserRow } from './admin-model.ts';
import { Confirm, Empty, Outcome, Pager } from './admin-ui.tsx';
import { PasswordForm, UserForm } from './user-form.tsx';

type Editing = { mode: 'create' } | { mode: 'edit'; id: string } | undefined;

export function UsersPage({ me }: { me: Me }) {
  const { t } = useConsole();
  const canEdit = me.permissions.includes('administration.users.edit');
  const [users, setUsers] = useState<readonly UserRow[] | undefined>();
  const [groups, setGroups] = useState<readonly GroupRow[]>([]);
  const [environments, setEnvironments] = useState<readonly string[] | undefined>();
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [editing, setEditing] = useState<Editing>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();

  const fail = useCallback(
    (err: unknown) => setError(isStale(err) ? t('admin.users.stale') : t('common.error', { detail: messageOf(err) })),
    [t],
  );
  const load = useCallback(async () => {
    try {
      const [u, g] = await Promise.all([
        api.get<{ users: UserRow[] }>('/api/v1/users'),
        api.get<{ groups: GroupRow[] }>('/api/v1/user-groups'),
      ]);
      setUsers(u.users);
      setGroups(g.groups);
    } catch (err) {
      fail(err);
    }
  }, [fail]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    // The environments to offer, for those who may read the configuration; a text field otherwise.
    if (!me.permissions.includes('administration.configuration.edit')) return;
    api
      .get<{ items: { id: string }[] }>('/api/v1/config/environments')
      .then((a) => setEnvironments(a.items.map((e) => e.id)))
      .catch(() => setEnvironments(undefined));
  }, [me.permissions]);

  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;
  const shown = (users ?? []).filter((u) =>
    matchesQuery(query, [u.loginName, u.displayName, u.userGroup, groupName(u.userGroup), u.email]),
  );
  const current = pageOf(shown, page);
  const selected = editing?.mode === 'edit' ? users?.find((u) => u.id === editing.id) : undefined;

  async function act(what: () => Promise<unknown>, message: string) {
    setError(undefined);
    setDone(undefined);
    try {
      await what();
      setDone(message);
      await load();
    } catch (err) {
      fail(err);
      // Changed meanwhile by someone else: show what it is now.
      if (isStale(err)) await load();
    }
  }
  const path = (u: UserRow, rest = '') => `/api/v1/users/${encodeURIComponent(u.id)}${rest}`;

  return (
    <section class="admin" aria-labelledby="users-title">
      <h1 id="users-title">{t('admin.users.title')}</h1>
      <div class="admin-toolbar">
        <SearchField
          label={t('admin.filter')}
          name="query"
          value={query}
          onSearch={(v) => {
            setQuery(v);
            setPage(0);
          }}
        />
        {canEdit && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              setEditing({ mode: 'create' });
              setDone(undefined);
            }}
          >
            {t('admin.users.new')}
          </button>
        )}
      </div>
      <Outcome error={error} done={done} />

      {editing?.mode === 'create' && (
        <UserForm
          key="new"
          user={undefined}
          groups={groups}
          environments={environments}
          onCancel={() => setEditing(undefined)}
          onReload={() => void load()}
          onSaved={(u) => {
            setEditing({ mode: 'edit', id: u.id });
            setDone(t('admin.users.created', { name: u.loginName }));
            void load();
          }}
        />
      )}
      {selected && canEdit && (
        <div class="admin-editor" data-testid="user-editor">
          {!selected.erased && (
            <UserForm
              // A new version (saved, locked, changed by someone else) is a new form: it edits what it shows.
              key={`${selected.id}@${selected.version}`}
              user={selected}
              groups={groups}
              environments={environments}
              onCancel={() => setEditing(undefined)}
              onReload={() => void load()}
              onSaved={(u) => {
                setDone(t('admin.users.saved', { name: u.loginName }));
                void load();
              }}
            />
          )}
          <section class="admin-account" aria-label={t('admin.users.account')}>
            <h3>{t('admin.users.account')}</h3>
            <div class="filter-actions">
              {!selected.erased &&
                (selected.locked ? (
                  <button
                    type="button"
                    onClick={() =>
                      void act(
                        () => api.post(path(selected, '/unlock')),
                        t('admin.users.unlocked', { name: selected.loginName }),
                      )
                    }
                  >
                    {t('admin.users.unlock')}
                  </button>
                ) : (
                  <button
                    type="button"
                    onClick={() =>
                      void act(
                        () => api.post(path(selected, '/lock')),
                        t('admin.users.lockedDone', { name: selected.loginName }),
                      )
                    }
                  >
                    {t('admin.users.lock')}
                  </button>
                ))}
              {!selected.builtIn && !selected.erased && (
                <Confirm
                  danger
                  label={t('admin.users.erase')}
                  question={t('admin.users.eraseQuestion', { name: selected.loginName })}
                  yes={t('admin.users.eraseYes')}
                  onConfirm={() => act(() => api.post(path(selected, '/erase')), t('admin.users.erased'))}
                />
              )}
              {!selected.builtIn && (
                <Confirm
                  danger
                  label={t('admin.delete')}
                  question={t('admin.users.deleteQuestion', { name: selected.loginName })}
                  yes={t('admin.deleteYes')}
                  onConfirm={async () => {
                    const ifMatch = { 'If-Match': `"${selected.version}"` };
                    await act(
                      () => api.delete(path(selected), ifMatch),
                      t('admin.users.deleted', { name: selected.loginName }),
                    );
                    setEditing(undefined);
                  }}
                />
              )}
            </div>
            {!selected.erased && (
              <PasswordForm
                key={selected.id}
                user={selected}
                onDone={(m) => {
                  setDone(m);
                  void load();
                }}
              />
            )}
          </section>
        </div>
      )}

      {!users && !error && <p>{t('common.loading')}</p>}
      {users && shown.length === 0 && (
        <Empty title={t('admin.users.emptyTitle')}>
          {query.trim() !== '' ? t('admin.emptyFiltered') : t('admin.users.emptyBody')}
        </Empty>
      )}
      {users && shown.length > 0 && (
        <div class="table-scroll">
          <table class="list" data-testid="users-table">
            <caption class="muted">{t('admin.count', { n: shown.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.loginName')}</th>
                <th scope="col">{t('admin.users.displayName')}</th>
                <th scope="col">{t('admin.users.userGroup')}</th>
                <th scope="col">{t('admin.users.language')}</th>
                <th scope="col">{t('admin.users.environments')}</th>
                <th scope="col">{t('admin.users.status')}</th>
                {canEdit && <th scope="col">{t('admin.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {current.items.map((u) => (
                <tr
                  key={u.id}
                  data-testid="user-row"
                  data-login={u.loginName}
                  aria-current={u.id === selected?.id ? 'true' : undefined}
                >
                  <td>{u.loginName}</td>
                  <td>{u.displayName}</td>
                  <td>{groupName(u.userGroup)}</td>
                  <td>{u.language}</td>
                  <td>{u.environments.map((e) => (e === '*' ? t('admin.users.allEnvironments') : e)).join(', ')}</td>
                  <td data-testid="user-status">
                    {[
                      u.erased ? t('admin.users.stateErased') : '',
                      u.locked ? t('admin.users.locked') : '',
                      u.mustChangePassword && !u.erased ? t('admin.users.stateMustChange') : '',
                      u.builtIn ? t('admin.users.stateBuiltIn') : '',
                    ]
                      .filter((s) => s !== '')
                      .join(' · ') || t('admin.users.stateActive')}
                  </td>
                  {canEdit && (
                    <td>
                      <button
                        type="button"
                        aria-label={t('admin.editNamed', { name: u.loginName })}
                        onClick={() => {
                          setEditing({ mode: 'edit', id: u.id });
                          setDone(undefined);
                          setError(undefined);
                        }}
                      >
                        {t('admin.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={current} onPage={setPage} />
    </section>
  );
}
