import { lazy, Suspense, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, createApi, type Api } from './api';
import { ChatWidget } from './components/ChatWidget';
import { initialLang, LangContext, translator, useT, type Lang } from './i18n';
import { homeOf, mayOpen, screens, type Role, type ScreenId } from './screens';
import { Inbox } from './screens/Inbox';
import { Review } from './screens/Review';
import { Gaps } from './screens/Gaps';

// The graph and chart libraries are big: their screens load them on first use.
const GraphExplorer = lazy(() => import('./screens/GraphExplorer'));
const Analytics = lazy(() => import('./screens/Analytics'));

interface Viewer {
  name: string;
  role: Role;
}
const KEY_STORAGE = 'answergraph.console.key';

function useHash(): string {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => initialLang(localStorage.getItem('answergraph.console.lang')));
  const t = useMemo(() => translator(lang), [lang]);
  const [session, setSession] = useState<{ api: Api; viewer: Viewer; key: string } | null>(null);
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(KEY_STORAGE) !== null);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    localStorage.setItem('answergraph.console.lang', lang);
  }, [lang]);

  const login = async (key: string) => {
    const api = createApi(key, location.origin);
    try {
      const r = await api.request<{ viewer: Viewer }>('query Viewer { viewer { name role } }');
      sessionStorage.setItem(KEY_STORAGE, key);
      setSession({ api, viewer: r.viewer, key });
    } catch (err) {
      api.close();
      throw err;
    }
  };
  useEffect(() => {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) login(key).catch(() => sessionStorage.removeItem(KEY_STORAGE)).finally(() => setRestoring(false));
  }, []);

  const logout = () => {
    session?.api.close();
    sessionStorage.removeItem(KEY_STORAGE);
    setSession(null);
    location.hash = '';
  };

  return (
    <LangContext.Provider value={{ lang, t }}>
      <header className="top">
        <span className="brand">{t('appName')}</span>
        <label className="lang">
          <span>{t('language')}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <option value="en">English</option>
            <option value="zh">中文</option>
          </select>
        </label>
        {session && (
          <>
            <span className="who" data-testid="viewer">{t('signedInAs', { name: session.viewer.name, role: session.viewer.role })}</span>
            <button type="button" className="secondary" onClick={logout}>{t('logOut')}</button>
          </>
        )}
      </header>
      {session ? <Shell api={session.api} viewer={session.viewer} keyId={session.key.slice(0, 12)} /> : restoring ? <main><p>{t('loading')}</p></main> : <Login onLogin={login} />}
    </LangContext.Provider>
  );
}

function Login({ onLogin }: { onLogin: (key: string) => Promise<void> }) {
  const { t } = useT();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onLogin(key.trim());
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <h1>{t('logIn')}</h1>
      <form onSubmit={submit}>
        <label htmlFor="api-key">{t('apiKey')}</label>
        <input id="api-key" type="password" value={key} onChange={(e) => setKey(e.target.value)} aria-describedby="api-key-help" autoComplete="off" required />
        <p id="api-key-help" className="muted">{t('apiKeyHelp')}</p>
        <button type="submit" disabled={busy || !key.trim()}>{t('logIn')}</button>
        {error && <p className="banner error" role="alert">{t('loginFailed', { message: error })}</p>}
      </form>
    </main>
  );
}

function Shell({ api, viewer, keyId }: { api: Api; viewer: Viewer; keyId: string }) {
  const { t } = useT();
  const hash = useHash();
  const requested = hash.replace(/^#\/?/, '').split('?')[0] || homeOf(viewer.role);
  const screen = screens.find((s) => s.id === requested);
  const allowed = screens.filter((s) => s.roles.includes(viewer.role));
  let body;
  if (!screen) body = <p role="alert">{t('notFound')}</p>;
  else if (!mayOpen(viewer.role, screen.id)) body = <p className="banner error" role="alert" data-testid="forbidden">{t('forbidden', { role: viewer.role })}</p>;
  else body = <ScreenBody id={screen.id} api={api} keyId={keyId} />;
  return (
    <div className="shell">
      {allowed.length > 1 && (
        <nav aria-label={t('mainNav')} className="side">
          <ul>
            {allowed.map((s) => (
              <li key={s.id}>
                <a href={`#/${s.id}`} aria-current={screen?.id === s.id ? 'page' : undefined}>{t(s.label)}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" data-screen={screen?.id}>
        <Suspense fallback={<p>{t('loading')}</p>}>{body}</Suspense>
      </main>
    </div>
  );
}

function ScreenBody({ id, api, keyId }: { id: ScreenId; api: Api; keyId: string }) {
  switch (id) {
    case 'chat':
      return <ChatWidget api={api} storageKey={`answergraph.chat.${keyId}`} channel="console" />;
    case 'inbox':
      return <Inbox api={api} />;
    case 'review':
      return <Review api={api} />;
    case 'graph':
      return <GraphExplorer api={api} />;
    case 'gaps':
      return <Gaps api={api} />;
    case 'analytics':
      return <Analytics api={api} />;
  }
}
