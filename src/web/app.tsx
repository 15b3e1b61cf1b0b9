/**
 * The console shell: who is logged in (GET /api/v1/auth/me), the page for the address, the
 * header with navigation, language switch and logout. A page the user's permissions do not
 * open is neither linked nor rendered (and the server refuses its API anyway).
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, SESSION_LOST, setCsrfToken, type Me } from './api.ts';
import {
  CONSOLE_PAGES,
  landingPage,
  mayOpen,
  pageAt,
  pathParam,
  type ConsolePage,
  type PagePath,
} from './console-pages.ts';
import { Console, useConsole, type ConsoleContext } from './context.ts';
import { isLanguage, LOCALE, pickLanguage, translate, type Language } from './i18n/i18n.ts';
import { LanguageSwitch } from './language-switch.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { VIEWS } from './views.tsx';

const DEVICE_LANG = 'tocsin.lang';
const userLangKey = (userId: string) => `tocsin.lang.${userId}`;

/** The language before anyone logs in: this device's last choice, else the browser's. */
const deviceLanguage = (): Language => pickLanguage(localStorage.getItem(DEVICE_LANG), navigator.languages);

/** A user's language: their own choice on this device, else the server's setting, else the device's. */
const userLanguage = (me: Me): Language =>
  pickLanguage(localStorage.getItem(userLangKey(me.userId)) ?? (isLanguage(me.language) ? me.language : null), [
    deviceLanguage(),
  ]);

export function App() {
  const [path, setPath] = useState(location.pathname);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [lang, setLangState] = useState<Language>(deviceLanguage);

  const navigate = useCallback((to: string, opts: { replace?: boolean } = {}) => {
    if (to !== location.pathname) history[opts.replace ? 'replaceState' : 'pushState'](null, '', to);
    setPath(to);
  }, []);

  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const loadMe = useCallback(async () => {
    try {
      const m = await api.get<Me>('/api/v1/auth/me');
      setMe(m);
      setLangState(userLanguage(m));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.error(err);
      setMe(null);
    }
  }, []);
  useEffect(() => void loadMe(), [loadMe]);
  useEffect(() => {
    const lost = () => setMe(null);
    addEventListener(SESSION_LOST, lost);
    return () => removeEventListener(SESSION_LOST, lost);
  }, []);

  const setLang = useCallback(
    (l: Language) => {
      setLangState(l);
      localStorage.setItem(DEVICE_LANG, l);
      if (me) {
        localStorage.setItem(userLangKey(me.userId), l);
        // Kept on the server too, so the user's other devices follow (the device's choice wins there).
        if (!me.mustChangePassword) void api.patch('/api/v1/auth/me', { language: l }).catch(() => {});
      }
    },
    [me],
  );

  useEffect(() => {
    document.documentElement.lang = LOCALE[lang];
  }, [lang]);

  const ctx: ConsoleContext = useMemo(
    () => ({ lang, t: (key, params) => translate(lang, key, params), setLang, navigate }),
    [lang, setLang, navigate],
  );

  // Where the address must lead, given who is logged in.
  const target = useMemo(() => {
    if (me === undefined) return undefined;
    if (me === null) return '/login';
    if (me.mustChangePassword) return '/password';
    if (path === '/' || path === '/login') return landingPage(me.startPage, me.permissions);
    return path;
  }, [me, path]);
  useEffect(() => {
    if (target !== undefined && target !== path) navigate(target, { replace: true });
  }, [target, path, navigate]);

  const logout = async () => {
    await api.post('/api/v1/auth/logout').catch(() => {});
    setCsrfToken(undefined);
    setMe(null);
    setLangState(deviceLanguage());
  };

  useEffect(() => {
    document.title = `Tocsin · ${titleOf(path, ctx)}`;
  }, [path, ctx]);

  if (me === undefined || target !== path) return <p class="loading">{ctx.t('common.loading')}</p>;
  return (
    <Console.Provider value={ctx}>
      {me === null ? (
        <LoginPage onLoggedIn={loadMe} />
      ) : (
        <>
          <Header me={me} path={path} onLogout={logout} />
          <main id="main" tabIndex={-1}>
            <Page
              me={me}
              path={path}
              onPasswordChanged={async () => {
                const forced = me.mustChangePassword;
                await loadMe();
                // After the forced change: on to the user's start page.
                if (forced) navigate('/', { replace: true });
              }}
            />
          </main>
        </>
      )}
    </Console.Provider>
  );
}

function titleOf(path: string, { t }: ConsoleContext): string {
  const page = pageAt(path);
  return page ? t(VIEWS[page.path as PagePath].title) : t('notFound.title');
}

function Page({ me, path, onPasswordChanged }: { me: Me; path: string; onPasswordChanged: () => Promise<void> }) {
  const { t } = useConsole();
  const page = pageAt(path);
  if (!page)
    return (
      <section class="notice">
        <h1>{t('notFound.title')}</h1>
        <p>{t('notFound.body')}</p>
      </section>
    );
  if (!mayOpen(page, me.permissions))
    return (
      <section class="notice" data-testid="forbidden">
        <h1>{t('forbidden.title')}</h1>
        <p>{t('forbidden.body')}</p>
      </section>
    );
  return VIEWS[page.path as PagePath].render({
    me,
    param: pathParam(path),
    onPasswordChanged,
    onLoggedIn: async () => {},
  });
}

function Header({ me, path, onLogout }: { me: Me; path: string; onLogout: () => void }) {
  const { t, navigate } = useConsole();
  const links = me.mustChangePassword
    ? []
    : (CONSOLE_PAGES as readonly ConsolePage[]).filter(
        (p) => p.path !== '/login' && p.path !== '/password' && !p.param && mayOpen(p, me.permissions),
      );
  const current = pageAt(path)?.path;
  const link = (p: ConsolePage) => (
    <a
      key={p.path}
      href={p.path}
      aria-current={p.path === current || (current?.startsWith(`${p.path}/`) ?? false) ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        (e.currentTarget.closest('details') as HTMLDetailsElement | null)?.removeAttribute('open');
        navigate(p.path);
      }}
    >
      {t(VIEWS[p.path as PagePath].title)}
    </a>
  );
  const admin = links.filter((p) => p.admin);
  return (
    <header class="top">
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <span class="brand" aria-hidden="true">
        Tocsin
      </span>
      <nav aria-label={t('nav.label')}>
        {links.filter((p) => !p.admin).map(link)}
        {admin.length > 0 && (
          <details class="admin-menu" data-testid="admin-menu">
            <summary aria-current={pageAt(path)?.admin ? 'page' : undefined}>{t('nav.admin')}</summary>
            <div class="admin-links">{admin.map(link)}</div>
          </details>
        )}
        {!me.mustChangePassword && (
          <a
            href="/password"
            aria-current={path === '/password' ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate('/password');
            }}
          >
            {t('nav.account')}
          </a>
        )}
      </nav>
      <span class="spacer" />
      <LanguageSwitch />
      <span class="who" data-testid="who">
        {me.displayName ?? me.loginName}
      </span>
      <button type="button" onClick={onLogout}>
        {t('nav.logout')}
      </button>
    </header>
  );
}
