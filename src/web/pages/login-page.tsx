/** Log in (POST /api/v1/auth/login). The page follows the browser's language until one is chosen. */
import { useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken, type LoginAnswer } from '../api.ts';
import { useConsole } from '../context.ts';
import { LanguageSwitch } from '../language-switch.tsx';

export function LoginPage({ onLoggedIn }: { onLoggedIn: () => Promise<void> }) {
  const { t } = useConsole();
  const [loginName, setLoginName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const a = await api.post<LoginAnswer>('/api/v1/auth/login', { loginName, password });
      setCsrfToken(a.csrfToken);
      await onLoggedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 429
          ? t('login.throttled')
          : err instanceof ApiError && err.status === 401
            ? t('login.failed')
            : t('common.error', { detail: err instanceof Error ? err.message : String(err) }),
      );
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <div class="card-head">
          <h1 id="login-title">{t('login.title')}</h1>
          <LanguageSwitch />
        </div>
        <p class="lead">{t('login.intro')}</p>
        <label>
          {t('login.name')}
          <input
            name="loginName"
            autocomplete="username"
            required
            autoFocus
            value={loginName}
            onInput={(e) => setLoginName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}
