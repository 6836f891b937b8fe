import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api';
import { ChatWidget } from './components/ChatWidget';
import { initialLang, LangContext, translator } from './i18n';
import css from './styles.css?inline';

/**
 * The embeddable chat: `<script src="https://<api>/console/widget.js" data-api-key="<CUSTOMER key>"
 * data-language="en|zh" async></script>`. It talks to the API it was loaded from, and renders in a shadow
 * root so the page's styles and ours never mix.
 */
const script = document.currentScript as HTMLScriptElement | null;

function Launcher({ apiKey, origin, lang }: { apiKey: string; origin: string; lang: 'en' | 'zh' }) {
  const api = useMemo(() => createApi(apiKey, origin), [apiKey, origin]);
  const t = useMemo(() => translator(lang), [lang]);
  const [open, setOpen] = useState(() => sessionStorage.getItem('answergraph.widget.open') === '1');
  const toggle = () => {
    sessionStorage.setItem('answergraph.widget.open', open ? '0' : '1');
    setOpen(!open);
  };
  return (
    <LangContext.Provider value={{ lang, t }}>
      <div className="widget" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        {open && (
          <div className="widget-panel" id="answergraph-widget-panel">
            <ChatWidget api={api} storageKey={`answergraph.widget.${apiKey.slice(0, 12)}`} channel="web" />
          </div>
        )}
        <button type="button" className="widget-launcher" aria-expanded={open} aria-controls="answergraph-widget-panel" onClick={toggle}>
          {open ? t('close') : t('chatTitle')}
        </button>
      </div>
    </LangContext.Provider>
  );
}

function mount() {
  const apiKey = script?.dataset.apiKey;
  if (!script || !apiKey) {
    console.error('answergraph widget: add data-api-key="<a CUSTOMER API key>" to the script tag');
    return;
  }
  const origin = script.dataset.apiOrigin ?? new URL(script.src, location.href).origin;
  const host = document.createElement('div');
  host.id = 'answergraph-widget';
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css;
  const root = document.createElement('div');
  shadow.append(style, root);
  createRoot(root).render(
    <StrictMode>
      <Launcher apiKey={apiKey} origin={origin} lang={initialLang(script.dataset.language ?? null)} />
    </StrictMode>,
  );
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
