import { useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api';
import { SourceDialog, type CitationRef } from '../components/SourceDialog';
import { useT } from '../i18n';
import { useLoad } from '../usePoll';

interface Row {
  id: string;
  status: 'ESCALATED' | 'AGENT' | 'BOT' | 'RESOLVED';
  escalationReason: string | null;
  agentName: string | null;
  language: string | null;
  channel: string | null;
  escalatedAt: string | null;
  lastMessageAt: string | null;
  messageCount: number;
}
interface Msg {
  id: string;
  role: string;
  text: string;
  intent: string | null;
  outOfScope: boolean | null;
  confidence: number | null;
  sentiment: string | null;
  sentimentScore: number | null;
  author: string | null;
  kind: string | null;
  entities: Array<{ text: string; type: string }>;
  citations: CitationRef[];
}
interface Detail extends Row {
  customerId: string | null;
  customerContext: unknown;
  messages: Msg[];
  suggestions: Array<{ text: string; confidence: number; citations: CitationRef[] }>;
}

const ROW = 'id status escalationReason agentName language channel escalatedAt lastMessageAt messageCount';
const CITATION = 'citations { knowledgeId documentId chunkId start end quote }';
const DETAIL = `query Conversation($id: ID!) { conversation(id: $id) { ${ROW} customerId customerContext
  messages { id role text intent outOfScope confidence sentiment sentimentScore author kind entities { text type } ${CITATION} }
  suggestions { text confidence ${CITATION} } } }`;
const EVENTS = 'subscription Events($id: ID!) { conversationEvents(conversationId: $id) { cursor type } }';

/**
 * The agent's inbox: escalated and held conversations (the list refreshes every 2 s, so new escalations
 * appear by themselves), the transcript with what the bot understood, the customer context, suggested
 * answers with citations, and claim / reply / resolve / hand back. The open conversation follows its
 * graphql-ws events, so the customer's messages appear as they are sent.
 */
export function Inbox({ api }: { api: Api }) {
  const { t } = useT();
  const [selected, setSelected] = useState<string | null>(null);
  const list = useLoad(
    () => api.request<{ conversations: { totalCount: number; edges: Array<{ node: Row }> } }>(`query Inbox { conversations(statuses: [ESCALATED, AGENT], first: 50) { totalCount edges { node { ${ROW} } } } }`),
    [api],
    2000,
  );
  const rows = list.data?.conversations.edges.map((e) => e.node) ?? [];
  return (
    <div className="split">
      <section aria-labelledby="inbox-title" className="pane list-pane">
        <h1 id="inbox-title">{t('inboxTitle')}</h1>
        {list.error && <p className="banner error" role="alert">{t('error', { message: list.error })}</p>}
        <h2 className="sr-only">{t('inboxList')}</h2>
        {rows.length === 0 && list.data && <p className="muted">{t('inboxEmpty')}</p>}
        <ul className="rows" aria-label={t('inboxList')}>
          {rows.map((r) => (
            <li key={r.id}>
              <button type="button" className={`row ${selected === r.id ? 'selected' : ''}`} aria-pressed={selected === r.id} onClick={() => setSelected(r.id)} data-testid="inbox-row" data-conversation={r.id}>
                <span className={`pill ${r.status.toLowerCase()}`}>{r.status === 'AGENT' ? t('withAgent', { name: r.agentName ?? '' }) : t('waiting')}</span>
                <span>{t('reason')}: {r.escalationReason ?? '—'}</span>
                <span className="muted">{r.channel ?? ''} · {r.language ?? ''} · {r.messageCount} · {r.lastMessageAt ? new Date(r.lastMessageAt).toLocaleTimeString() : ''}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="pane detail-pane" aria-label={t('transcript')}>
        {selected ? <ConversationView api={api} id={selected} onChanged={() => void list.reload()} /> : <p className="muted">{t('selectConversation')}</p>}
      </section>
    </div>
  );
}

function ConversationView({ api, id, onChanged }: { api: Api; id: string; onChanged: () => void }) {
  const { t } = useT();
  const detail = useLoad(() => api.request<{ conversation: Detail }>(DETAIL, { id }).then((r) => r.conversation), [api, id]);
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [source, setSource] = useState<CitationRef | null>(null);
  const reload = detail.reload;

  useEffect(() => api.subscribe(EVENTS, { id }, () => void reload(), () => undefined), [api, id, reload]);

  const act = async (mutation: string, vars: Record<string, unknown>) => {
    setError(null);
    try {
      await api.request(mutation, vars);
      await reload();
      onChanged();
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return false;
    }
  };
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (await act('mutation Reply($id: ID!, $text: String!) { agentReply(conversationId: $id, text: $text) { id } }', { id, text: reply.trim() })) setReply('');
  };

  const c = detail.data;
  if (!c) return <p>{detail.error ? t('error', { message: detail.error }) : t('loading')}</p>;
  const lastCustomer = [...c.messages].reverse().find((m) => m.role === 'customer');
  return (
    <div className="conversation" data-testid="conversation-view" data-status={c.status}>
      <h2>{t('transcript')} <span className={`pill ${c.status.toLowerCase()}`} data-testid="conversation-status">{c.status}</span></h2>
      <div className="actions">
        {(c.status === 'ESCALATED' || c.status === 'BOT') && <button type="button" onClick={() => void act('mutation Claim($id: ID!) { claimConversation(id: $id) { id } }', { id })}>{t('claim')}</button>}
        {c.status === 'AGENT' && <button type="button" className="secondary" onClick={() => void act('mutation HandBack($id: ID!) { handBackConversation(id: $id) { id } }', { id })}>{t('handBack')}</button>}
        {c.status !== 'RESOLVED' && <button type="button" className="secondary" onClick={() => void act('mutation Resolve($id: ID!) { resolveConversation(id: $id) { id } }', { id })}>{t('resolve')}</button>}
      </div>
      {error && <p className="banner error" role="alert">{t('error', { message: error })}</p>}
      <ol className="transcript" aria-label={t('transcript')} data-testid="transcript">
        {c.messages.map((m) => (
          <li key={m.id} className={`msg msg-${m.role}`}>
            <span className="author">{m.role === 'customer' ? t('customer') : m.role === 'agent' ? m.author ?? t('agent') : t('bot')}</span>
            <p className="msg-text">{m.text}</p>
            {m.role === 'customer' && (
              <dl className="understanding">
                <dt>{t('intent')}</dt>
                <dd>{m.intent ?? '—'}{m.outOfScope ? ` (${t('outOfScope')})` : ''}{m.confidence != null ? ` · ${t('confidence', { n: m.confidence.toFixed(2) })}` : ''}</dd>
                <dt>{t('sentiment')}</dt>
                <dd>{m.sentiment ?? '—'}{m.sentimentScore != null ? ` (${m.sentimentScore.toFixed(2)})` : ''}</dd>
                {m.entities.length > 0 && (
                  <>
                    <dt>{t('entities')}</dt>
                    <dd>{m.entities.map((e) => `${e.text} (${e.type})`).join(', ')}</dd>
                  </>
                )}
              </dl>
            )}
            {m.citations.length > 0 && (
              <div className="citations">
                {m.citations.map((ct, i) => (
                  <button key={i} type="button" className="cite" aria-label={t('openSource', { n: i + 1 })} onClick={() => setSource(ct)}>[{i + 1}]</button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ol>
      <section aria-labelledby="context-title">
        <h3 id="context-title">{t('customerContext')}</h3>
        {c.customerId && <p className="muted">{t('customerId', { id: c.customerId })}</p>}
        <pre className="context" tabIndex={0} aria-label="Customer context">{JSON.stringify(c.customerContext, null, 2)}</pre>
      </section>
      <section aria-labelledby="suggestions-title">
        <h3 id="suggestions-title">{t('suggestions')}</h3>
        {lastCustomer && c.suggestions.length === 0 && <p className="muted">{t('noSuggestions')}</p>}
        <ul className="suggestions">
          {c.suggestions.map((s, i) => (
            <li key={i} data-testid="suggestion">
              <p>{s.text}</p>
              <span className="muted">{t('confidence', { n: s.confidence.toFixed(2) })}</span>
              {s.citations.map((ct, j) => (
                <button key={j} type="button" className="cite" aria-label={t('openSource', { n: j + 1 })} onClick={() => setSource(ct)}>[{j + 1}]</button>
              ))}
              <button type="button" className="small" onClick={() => setReply(s.text)}>{t('useSuggestion')}</button>
            </li>
          ))}
        </ul>
      </section>
      {c.status === 'AGENT' && (
        <form className="reply" onSubmit={send}>
          <label htmlFor="agent-reply">{t('replyInput')}</label>
          <textarea id="agent-reply" value={reply} onChange={(e) => setReply(e.target.value)} rows={3} maxLength={4000} />
          <div className="actions">
            <label htmlFor="canned">{t('cannedReplies')}</label>
            <select id="canned" value="" onChange={(e) => e.target.value && setReply(e.target.value)}>
              <option value="">—</option>
              <option value={t('cannedHello')}>{t('cannedHello')}</option>
              <option value={t('cannedMoment')}>{t('cannedMoment')}</option>
              <option value={t('cannedBye')}>{t('cannedBye')}</option>
            </select>
            <button type="submit" disabled={!reply.trim()}>{t('reply')}</button>
          </div>
        </form>
      )}
      {source && <SourceDialog api={api} citation={source} onClose={() => setSource(null)} />}
    </div>
  );
}
