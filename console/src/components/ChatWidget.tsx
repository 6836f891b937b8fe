import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, type Api, type VisitorClaims } from '../api';
import { useT } from '../i18n';
import { SourceDialog, type CitationRef } from './SourceDialog';

interface ChatMessage {
  id: string;
  role: 'customer' | 'bot' | 'agent';
  text: string;
  kind: string | null;
  escalate: boolean;
  author: string | null;
  citations: CitationRef[];
}
interface ConversationEvent {
  cursor: string;
  type: string;
  text: string | null;
  chunkIndex: number | null;
  messageId: string | null;
  message: ChatMessage | null;
}
type Item =
  | { key: string; type: 'message'; message: ChatMessage }
  | { key: string; type: 'pending'; text: string }
  | { key: string; type: 'stream'; messageId: string; chunks: string[] }
  | { key: string; type: 'notice'; text: string };

const MESSAGE = 'id role text kind escalate author citations { knowledgeId documentId chunkId start end quote }';
const EVENTS = `subscription Events($id: ID!, $since: String) {
  conversationEvents(conversationId: $id, since: $since) { cursor type text chunkIndex messageId message { ${MESSAGE} } }
}`;

export interface ChatWidgetProps {
  api: Api;
  /**
   * Prefix of what is remembered in localStorage: `.conversation` (the conversation id, so a reload resumes
   * it) and `.visitor` (the visitor token that opens it).
   */
  storageKey: string;
  channel?: string;
  /** A customer id signed by the site's backend, when the site knows who the customer is. */
  visitorClaims?: VisitorClaims;
}

/**
 * The customer's chat: replies streamed over graphql-ws, citations that open their source passage, guided
 * processes, ratings, CSAT, typing and hand-off notices. Every event carries a cursor; the transcript is
 * rebuilt from the stored events (since "0") on load and after reconnecting, and duplicates are dropped by
 * cursor, so nothing is lost or shown twice.
 */
export function ChatWidget({ api, storageKey, channel = 'web', visitorClaims = {} }: ChatWidgetProps) {
  const { t, lang } = useT();
  const [conversationId, setConversationId] = useState<string | null>(() => {
    // The visitor token first: the conversation can only be read with it (CUSTOMER keys).
    const token = localStorage.getItem(`${storageKey}.visitor`);
    if (token) api.setVisitor({ ...visitorClaims, token });
    return localStorage.getItem(`${storageKey}.conversation`);
  });
  const [items, setItems] = useState<Item[]>([]);
  const [typing, setTyping] = useState(false);
  const [status, setStatus] = useState<'BOT' | 'ESCALATED' | 'AGENT' | 'RESOLVED'>('BOT');
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [connection, setConnection] = useState<'ok' | 'reconnecting'>('ok');
  const [rated, setRated] = useState<Record<string, boolean>>({});
  const [csat, setCsat] = useState<number | null>(null);
  const [source, setSource] = useState<CitationRef | null>(null);
  const seen = useRef(new Set<string>());
  const logRef = useRef<HTMLDivElement>(null);

  useEffect(() => api.onConnection((s) => setConnection(s === 'reconnecting' ? 'reconnecting' : 'ok')), [api]);

  const onEvent = useCallback(
    (e: ConversationEvent) => {
      if (seen.current.has(e.cursor)) return;
      seen.current.add(e.cursor);
      const notice = (text: string) => setItems((xs) => [...xs, { key: e.cursor, type: 'notice', text }]);
      switch (e.type) {
        case 'CUSTOMER_MESSAGE':
        case 'BOT_MESSAGE':
        case 'AGENT_MESSAGE': {
          const m = e.message;
          if (!m) return;
          if (m.role !== 'customer') setTyping(false);
          setItems((xs) => upsertMessage(xs, m));
          return;
        }
        case 'BOT_TYPING':
          setTyping(true);
          return;
        case 'BOT_CHUNK':
          setTyping(false);
          setItems((xs) => {
            if (!e.messageId || xs.some((x) => x.type === 'message' && x.message.id === e.messageId)) return xs;
            const i = xs.findIndex((x) => x.type === 'stream' && x.messageId === e.messageId);
            if (i < 0) return [...xs, { key: `stream-${e.messageId}`, type: 'stream', messageId: e.messageId, chunks: [e.text ?? ''] }];
            const s = xs[i] as Extract<Item, { type: 'stream' }>;
            const chunks = [...s.chunks];
            chunks[e.chunkIndex ?? chunks.length] = e.text ?? '';
            return xs.map((x, j) => (j === i ? { ...s, chunks } : x));
          });
          return;
        case 'ESCALATED':
          setStatus('ESCALATED');
          notice(t('handoffWaiting'));
          return;
        case 'AGENT_JOINED':
          setStatus('AGENT');
          notice(t('agentJoined', { name: e.text ?? t('agent') }));
          return;
        case 'AGENT_LEFT':
          setStatus('BOT');
          notice(t('agentLeft'));
          return;
        case 'RESOLVED':
          setStatus('RESOLVED');
          notice(t('resolved'));
          return;
      }
    },
    [t],
  );

  useEffect(() => {
    if (!conversationId) return;
    // since "0": every stored event first (the transcript after a reload), then live ones.
    return api.subscribe<{ conversationEvents: ConversationEvent }>(EVENTS, { id: conversationId, since: '0' }, (d) => onEvent(d.conversationEvents), (err) => {
      if (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN') {
        localStorage.removeItem(`${storageKey}.conversation`);
        setConversationId(null);
      } else setError(err.message);
    });
  }, [api, conversationId, onEvent, storageKey]);

  useEffect(() => {
    logRef.current?.scrollTo?.({ top: logRef.current.scrollHeight });
  }, [items, typing]);

  const send = async (text: string) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    setError(null);
    const pendingKey = `pending-${Date.now()}-${Math.random()}`;
    setItems((xs) => [...xs, { key: pendingKey, type: 'pending', text: trimmed }]);
    setDraft('');
    try {
      let id = conversationId;
      if (!id) {
        const r = await api.request<{ startConversation: { id: string; visitorToken: string | null } }>(
          'mutation Start($input: StartConversationInput) { startConversation(input: $input) { id visitorToken } }',
          { input: { channel, language: lang } },
        );
        id = r.startConversation.id;
        if (r.startConversation.visitorToken) {
          localStorage.setItem(`${storageKey}.visitor`, r.startConversation.visitorToken);
          api.setVisitor({ ...visitorClaims, token: r.startConversation.visitorToken });
        }
        localStorage.setItem(`${storageKey}.conversation`, id);
        setConversationId(id);
      }
      const r = await api.request<{ sendMessage: ChatMessage }>(`mutation Send($id: ID!, $text: String!) { sendMessage(conversationId: $id, text: $text) { ${MESSAGE} } }`, { id, text: trimmed });
      // The reply is also streamed; taking it from the response too keeps the chat whole if the socket lags.
      setItems((xs) => (r.sendMessage.role === 'customer' ? xs : upsertMessage(xs, r.sendMessage)));
    } catch (err) {
      setItems((xs) => xs.filter((x) => x.key !== pendingKey));
      setDraft(trimmed);
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void send(draft);
  };

  const rate = async (messageId: string, helpful: boolean) => {
    try {
      await api.request('mutation Rate($id: ID!, $helpful: Boolean!) { rateMessage(messageId: $id, helpful: $helpful) { knowledgeIds } }', { id: messageId, helpful });
      setRated((r) => ({ ...r, [messageId]: helpful }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const rateConversation = async (score: number) => {
    if (!conversationId) return;
    try {
      await api.request('mutation Csat($id: ID!, $score: Int!) { rateConversation(conversationId: $id, score: $score) { knowledgeIds } }', { id: conversationId, score });
      setCsat(score);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const restart = () => {
    localStorage.removeItem(`${storageKey}.conversation`);
    seen.current.clear();
    setItems([]);
    setStatus('BOT');
    setCsat(null);
    setRated({});
    setConversationId(null);
  };

  const messages = items.filter((x): x is Extract<Item, { type: 'message' }> => x.type === 'message').map((x) => x.message);
  const lastBot = [...messages].reverse().find((m) => m.role !== 'customer');
  // The API does not say whether a process is still running: offer cancel while the bot's last message was a
  // process step and the customer has not just cancelled (a finished process answers a late cancel politely).
  const lastCustomer = [...messages].reverse().find((m) => m.role === 'customer');
  const cancelled = lastCustomer?.text.trim().toLowerCase() === t('cancelWord').toLowerCase();
  const inProcess = status === 'BOT' && lastBot?.role === 'bot' && lastBot.kind === 'process' && !cancelled;
  const hasBotAnswer = messages.some((m) => m.role !== 'customer');

  return (
    <section className="chat" aria-labelledby="chat-title">
      <h2 id="chat-title" className="chat-title">{t('chatTitle')}</h2>
      {connection === 'reconnecting' && <p className="banner warn" role="status">{t('reconnecting')}</p>}
      <div className="chat-log" role="log" aria-live="polite" aria-label={t('chatLog')} ref={logRef} tabIndex={0}>
        <p className="msg msg-bot">{t('chatWelcome')}</p>
        {items.map((item) => {
          if (item.type === 'notice') return <p key={item.key} className="notice" data-testid="chat-notice">{item.text}</p>;
          if (item.type === 'pending') return <p key={item.key} className="msg msg-customer pending" aria-busy="true">{item.text}</p>;
          if (item.type === 'stream') return <p key={item.key} className="msg msg-bot streaming" data-testid="chat-stream">{item.chunks.join('')}</p>;
          const m = item.message;
          return (
            <div key={item.key} className={`msg msg-${m.role}`} data-testid={`chat-${m.role}`} data-kind={m.kind ?? undefined}>
              <span className="sr-only">{m.role === 'customer' ? t('you') : m.role === 'agent' ? t('agent') : t('bot')}: </span>
              {m.role === 'agent' && <span className="author">{m.author ?? t('agent')}</span>}
              <p className="msg-text">{m.text}</p>
              {m.citations.length > 0 && (
                <div className="citations">
                  <span>{t('sources')}:</span>
                  {m.citations.map((c, i) => (
                    <button key={i} type="button" className="cite" aria-label={t('openSource', { n: i + 1 })} data-testid="citation" onClick={() => setSource(c)}>
                      [{i + 1}]
                    </button>
                  ))}
                </div>
              )}
              {m.role === 'bot' && m.kind !== 'handoff' && m.kind !== 'smalltalk' && (
                <div className="rating">
                  {m.id in rated ? (
                    <span role="status">{t('thanksFeedback')}</span>
                  ) : (
                    <>
                      <button type="button" className="small" onClick={() => void rate(m.id, true)}>{t('helpful')}</button>
                      <button type="button" className="small" onClick={() => void rate(m.id, false)}>{t('notHelpful')}</button>
                    </>
                  )}
                </div>
              )}
            </div>
          );
        })}
        {typing && <p className="typing" role="status" data-testid="typing">{t('typing')}</p>}
      </div>
      {inProcess && (
        <div className="process-hint">
          <span>{t('processStep')}</span>
          <button type="button" className="small" onClick={() => void send(t('cancelWord'))}>{t('cancelProcess')}</button>
        </div>
      )}
      {error && <p className="banner error" role="alert">{t('error', { message: error })}</p>}
      {status === 'RESOLVED' ? (
        <button type="button" onClick={restart}>{t('newConversation')}</button>
      ) : (
        <form className="chat-form" onSubmit={onSubmit}>
          <label htmlFor="chat-input" className="sr-only">{t('chatInput')}</label>
          <input id="chat-input" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={t('chatPlaceholder')} autoComplete="off" maxLength={2000} />
          <button type="submit" disabled={!draft.trim()}>{t('send')}</button>
          {status === 'BOT' && (
            <button type="button" className="secondary" onClick={() => void send(t('askPersonText'))}>{t('askPerson')}</button>
          )}
        </form>
      )}
      {hasBotAnswer && (
        <fieldset className="csat">
          <legend>{t('csatQuestion')}</legend>
          {csat ? (
            <p role="status">{t('csatThanks', { n: csat })}</p>
          ) : (
            [1, 2, 3, 4, 5].map((n) => (
              <button key={n} type="button" className="small" aria-label={t('csatScore', { n })} onClick={() => void rateConversation(n)}>
                {'★'.repeat(n)}
              </button>
            ))
          )}
        </fieldset>
      )}
      {source && <SourceDialog api={api} citation={source} onClose={() => setSource(null)} />}
    </section>
  );
}

/** Puts a whole message in place: over the stream of its chunks, over the oldest pending customer line, or appended. */
function upsertMessage(xs: Item[], m: ChatMessage): Item[] {
  if (xs.some((x) => x.type === 'message' && x.message.id === m.id)) return xs.map((x) => (x.type === 'message' && x.message.id === m.id ? { ...x, message: m } : x));
  const streamAt = xs.findIndex((x) => x.type === 'stream' && x.messageId === m.id);
  const item: Item = { key: m.id, type: 'message', message: m };
  if (streamAt >= 0) return xs.map((x, i) => (i === streamAt ? item : x));
  if (m.role === 'customer') {
    const pendingAt = xs.findIndex((x) => x.type === 'pending');
    if (pendingAt >= 0) return xs.map((x, i) => (i === pendingAt ? item : x));
  }
  return [...xs, item];
}
