import { StrictMode, useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api';
import { ChatWidget } from './components/ChatWidget';
import { initialLang, LangContext, translator } from './i18n';
import './styles.css';

/**
 * The chat page the widget loader (widget.js) frames on other sites: /console/chat.html#key=<CUSTOMER key>&lang=en.
 * It runs on the API's own origin, so it needs no CORS, and the host page's styles and scripts cannot reach
 * into it. The key travels in the fragment, which browsers never send to a server.
 */
const params = new URLSearchParams(location.hash.slice(1));
const key = params.get('key') ?? '';
const lang = initialLang(params.get('lang'));
// A site that knows its customer signs the id on its backend (IDENTITY_VERIFICATION_SECRET); else the chat is anonymous.
const visitorClaims = params.get('cid') ? { customerId: params.get('cid')!, customerSignature: params.get('sig') ?? '' } : {};
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

function Frame() {
  const api = useMemo(() => createApi(key, location.origin, visitorClaims), []);
  const t = useMemo(() => translator(lang), []);
  return (
    <LangContext.Provider value={{ lang, t }}>
      <main className="frame-main">
        {key ? <ChatWidget api={api} storageKey={`answergraph.widget.${key.slice(0, 12)}`} channel="web" visitorClaims={visitorClaims} /> : <p role="alert">widget: no API key</p>}
      </main>
    </LangContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Frame />
  </StrictMode>,
);
