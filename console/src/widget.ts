import { dictionaries, initialLang } from './messages';

/**
 * The embeddable chat, one tag on any site:
 *   <script src="https://<api>/console/widget.js" data-api-key="<CUSTOMER key>" data-language="en" async></script>
 * plus, when the site knows who the customer is, `data-customer-id` and `data-customer-signature` (hex
 * HMAC-SHA256 of the id with IDENTITY_VERIFICATION_SECRET, computed on the site's backend).
 * It adds a launcher button and, on first open, an iframe of /console/chat.html from the API's origin (where
 * the chat talks to the API without CORS). A few kilobytes, no framework: the chat itself loads only when
 * the customer opens it.
 */
const script = document.currentScript as HTMLScriptElement | null;

const CSS = `
.w { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; display: flex; flex-direction: column; align-items: flex-end; gap: 8px;
  font-family: system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif; }
iframe { width: min(400px, calc(100vw - 32px)); height: min(600px, calc(100vh - 96px)); border: 1px solid #d2d6dc; border-radius: 12px;
  box-shadow: 0 10px 30px rgba(0, 0, 0, .2); background: #fff; }
iframe[hidden] { display: none; }
button { font: inherit; font-size: 15px; cursor: pointer; border: none; border-radius: 999px; padding: 10px 18px; background: #1d4ed8; color: #fff;
  box-shadow: 0 4px 12px rgba(0, 0, 0, .2); }
button:hover { background: #1e3a8a; }
button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }`;

function mount(): void {
  const key = script?.dataset.apiKey;
  if (!script || !key) {
    console.error('answergraph widget: add data-api-key="<a CUSTOMER API key>" to the script tag');
    return;
  }
  const origin = script.dataset.apiOrigin ?? new URL(script.src, location.href).origin;
  const lang = initialLang(script.dataset.language ?? null);
  const words = dictionaries[lang];
  const host = document.createElement('div');
  host.id = 'answergraph-widget';
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = CSS;
  const box = document.createElement('div');
  box.className = 'w';
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = words.chatTitle;
  frame.id = 'answergraph-chat';
  const button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('aria-controls', frame.id);
  const stateKey = 'answergraph.widget.open';
  const set = (open: boolean) => {
    if (open && !frame.src) {
      const fragment = new URLSearchParams({ key, lang });
      if (script.dataset.customerId) {
        fragment.set('cid', script.dataset.customerId);
        fragment.set('sig', script.dataset.customerSignature ?? '');
      }
      frame.src = `${origin}/console/chat.html#${fragment.toString()}`;
    }
    frame.hidden = !open;
    button.textContent = open ? words.close : words.chatTitle;
    button.setAttribute('aria-expanded', String(open));
    try {
      sessionStorage.setItem(stateKey, open ? '1' : '0');
    } catch {
      // storage may be blocked on the host page; the widget just starts closed next time
    }
  };
  button.addEventListener('click', () => set(frame.hidden));
  box.append(frame, button);
  shadow.append(style, box);
  document.body.appendChild(host);
  let wasOpen = false;
  try {
    wasOpen = sessionStorage.getItem(stateKey) === '1';
  } catch {
    wasOpen = false;
  }
  set(wasOpen);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
