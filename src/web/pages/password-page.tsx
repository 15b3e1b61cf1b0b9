/**
 * Change my password (POST /api/v1/auth/password). Forced after the first login of the
 * built-in admin (and whenever an admin set `mustChangePassword`): then nothing else opens.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useConsole } from '../context.ts';

const MIN = 8;

export function PasswordPage({ forced, onChanged }: { forced: boolean; onChanged: () => Promise<void> }) {
  const { t } = useConsole();
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setDone(false);
    if (newPassword !== repeat) return setError(t('password.mismatch'));
    if (newPassword.length < MIN) return setError(t('password.tooShort', { min: MIN }));
    setBusy(true);
    try {
      await api.post('/api/v1/auth/password', { oldPassword, newPassword });
      setOld('');
      setNew('');
      setRepeat('');
      setDone(true);
      await onChanged();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 422
          ? t('password.refused', { detail: err.detail })
          : err instanceof ApiError && err.status === 403
            ? t('password.wrongOld')
            : t('common.error', { detail: err instanceof Error ? err.message : String(err) }),
      );
    } finally {
      setBusy(false);
    }
  };

  const field = (name: string, label: string, value: string, set: (v: string) => void, auto: string) => (
    <label>
      {label}
      <input
        name={name}
        type="password"
        autocomplete={auto}
        required
        value={value}
        onInput={(e) => set((e.target as HTMLInputElement).value)}
      />
    </label>
  );

  return (
    <section class="narrow">
      <form class="card" onSubmit={submit} aria-labelledby="password-title">
        <h1 id="password-title">{t('password.title')}</h1>
        {forced && (
          <p class="warning" role="status" data-testid="forced">
            {t('password.forced')}
          </p>
        )}
        <p class="lead">{t('password.rules', { min: MIN })}</p>
        {field('oldPassword', t('password.old'), oldPassword, setOld, 'current-password')}
        {field('newPassword', t('password.new'), newPassword, setNew, 'new-password')}
        {field('repeat', t('password.repeat'), repeat, setRepeat, 'new-password')}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {done && <p role="status">{t('password.changed')}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {t('password.submit')}
        </button>
      </form>
    </section>
  );
}
