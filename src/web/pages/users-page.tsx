/** Administration › Users: the list (GET /api/v1/users, needs `user-administration`). Editing comes later. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useConsole } from '../context.ts';

interface UserRow {
  readonly id: string;
  readonly loginName: string;
  readonly displayName: string;
  readonly userGroup: string;
  readonly language: string;
  readonly locked: boolean;
}

export function UsersPage() {
  const { t } = useConsole();
  const [users, setUsers] = useState<readonly UserRow[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api
      .get<{ users: UserRow[] }>('/api/v1/users')
      .then((a) => setUsers(a.users))
      .catch((err: unknown) =>
        setError(t('common.error', { detail: err instanceof Error ? err.message : String(err) })),
      );
  }, [t]);
  return (
    <section>
      <h1>{t('users.title')}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!users && !error && <p>{t('common.loading')}</p>}
      {users && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t('users.loginName')}</th>
              <th scope="col">{t('users.displayName')}</th>
              <th scope="col">{t('users.group')}</th>
              <th scope="col">{t('users.language')}</th>
              <th scope="col">{t('users.locked')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.loginName}</td>
                <td>{u.displayName}</td>
                <td>{u.userGroup}</td>
                <td>{u.language}</td>
                <td>{u.locked ? t('common.yes') : t('common.no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
