import { useState, type FormEvent } from 'react';
import type { Api } from '../api';
import { useT } from '../i18n';
import { range, type Period } from '../period';
import { useLoad } from '../usePoll';

interface Gap {
  question: string;
  count: number;
  language: string | null;
  lastAt: string;
}
interface Usage {
  uses: number;
  helpful: number;
  notHelpful: number;
  knowledge: { id: string; kind: string; status: string; qualityScore: number | null; question?: string | null; name?: string } | null;
}

const QUERY = `query Gaps($from: DateTime!, $to: DateTime!) { analytics(from: $from, to: $to, top: 50) {
  gaps { question count language lastAt }
  knowledgeUsage { uses helpful notHelpful knowledge { id kind status qualityScore ... on Fact { question } ... on Rule { name } ... on Process { name } } } } }`;

/**
 * The learning loop's screen: questions the assistant could not answer well (grouped by the analytics API)
 * with the editor's actions, and knowledge customers rated unhelpful.
 */
export function Gaps({ api }: { api: Api }) {
  const { t } = useT();
  const [period, setPeriod] = useState<Period>('7d');
  const data = useLoad(() => api.request<{ analytics: { gaps: Gap[]; knowledgeUsage: Usage[] } }>(QUERY, range(period)), [api, period]);
  const low = (data.data?.analytics.knowledgeUsage ?? []).filter((u) => u.notHelpful > 0 && u.notHelpful >= u.helpful);
  return (
    <div className="gaps">
      <h1>{t('gapsTitle')}</h1>
      <PeriodSelect value={period} onChange={setPeriod} />
      {data.error && <p className="banner error" role="alert">{t('error', { message: data.error })}</p>}
      <section aria-labelledby="gaps-list">
        <h2 id="gaps-list">{t('gapsList')}</h2>
        {data.data && data.data.analytics.gaps.length === 0 && <p className="muted">{t('noGaps')}</p>}
        <ul className="cards">
          {data.data?.analytics.gaps.map((g) => <GapCard key={`${g.language}-${g.question}`} api={api} gap={g} />)}
        </ul>
      </section>
      <section aria-labelledby="low-quality">
        <h2 id="low-quality">{t('lowQuality')}</h2>
        {data.data && low.length === 0 && <p className="muted">{t('noLowQuality')}</p>}
        {low.length > 0 && (
          <table>
            <thead>
              <tr><th scope="col">{t('knowledgeItem')}</th><th scope="col">{t('uses')}</th><th scope="col">{t('helpful')}</th><th scope="col">{t('notHelpful')}</th></tr>
            </thead>
            <tbody>
              {low.map((u, i) => (
                <tr key={u.knowledge?.id ?? i}>
                  <td>{u.knowledge ? `${u.knowledge.question ?? u.knowledge.name ?? u.knowledge.id} (${u.knowledge.kind}, ${u.knowledge.status})` : '—'}</td>
                  <td>{u.uses}</td><td>{u.helpful}</td><td>{u.notHelpful}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

export function PeriodSelect({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  const { t } = useT();
  return (
    <label className="inline">
      {t('period')}
      <select value={value} onChange={(e) => onChange(e.target.value as Period)}>
        <option value="24h">{t('last24h')}</option>
        <option value="7d">{t('last7d')}</option>
        <option value="30d">{t('last30d')}</option>
      </select>
    </label>
  );
}

function GapCard({ api, gap }: { api: Api; gap: Gap }) {
  const { t } = useT();
  const [answer, setAnswer] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = `gap-${Math.abs(hash(gap.question))}`;
  const draft = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.request<{ createKnowledge: { id: string } }>(
        'mutation Draft($input: KnowledgeInput!) { createKnowledge(input: $input) { id } }',
        { input: { kind: 'FACT', question: gap.question, answer: answer.trim(), language: gap.language ?? undefined } },
      );
      await api.request('mutation Submit($id: ID!) { submitKnowledgeForReview(id: $id, reason: "from a knowledge gap") { id } }', { id: r.createKnowledge.id });
      setDone(t('draftCreated'));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <li className="card" data-testid="gap">
      <p className="gap-question">“{gap.question}”</p>
      <p className="muted">{t('asked', { n: gap.count })} · {gap.language ?? ''} · {new Date(gap.lastAt).toLocaleString()}</p>
      {done ? (
        <p role="status">{done}</p>
      ) : (
        <form onSubmit={draft}>
          <label htmlFor={`${id}-answer`}>{t('fieldAnswer')}</label>
          <textarea id={`${id}-answer`} rows={2} value={answer} onChange={(e) => setAnswer(e.target.value)} />
          <button type="submit" disabled={!answer.trim()}>{t('draftAnswer')}</button>
        </form>
      )}
      {error && <p className="banner error" role="alert">{t('error', { message: error })}</p>}
    </li>
  );
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}
