import { useState, type FormEvent } from 'react';
import type { Api } from '../api';
import { useT } from '../i18n';
import { range, type Period } from '../period';
import { useLoad } from '../usePoll';

interface ItemRef {
  id: string;
  kind: string;
  status?: string;
  question?: string | null;
  name?: string;
  statement?: string | null;
}
interface Gap {
  id: string;
  version: number;
  question: string;
  size: number;
  language: string;
  lastAt: string | null;
  growth: number | null;
  examples: string[];
  reasons: Record<string, number>;
  nearest: Array<{ similarity: number | null; item: ItemRef }>;
}
interface QualityTask {
  id: string;
  reason: string | null;
  item: (ItemRef & { quality: { score: number; threshold: number; reviewBy: string; reasons: string[] } | null }) | null;
}

const ITEM = 'id kind status ... on Fact { question statement } ... on Rule { name } ... on Process { name }';
const GAPS = `query Gaps($from: DateTime, $to: DateTime) {
  knowledgeGaps(from: $from, to: $to, first: 30) { id version question size language lastAt growth examples reasons nearest(first: 3) { similarity item { ${ITEM} } } } }`;
const QUALITY = `query Quality { reviewQueue(type: QUALITY, first: 30) { edges { node { id reason item { ${ITEM} quality { score threshold reviewBy reasons } } } } } }`;

const titleOf = (i: ItemRef) => i.question ?? i.name ?? i.statement ?? i.id;

/**
 * The learning loop's screen: clusters of questions the assistant failed on, each with the editor's
 * actions (attach its questions to an existing fact as similar questions, draft a new fact into review,
 * dismiss), and published knowledge sent back to review for low quality or a passed review date.
 */
export function Gaps({ api }: { api: Api }) {
  const { t } = useT();
  const [period, setPeriod] = useState<Period>('30d');
  const gaps = useLoad(() => api.request<{ knowledgeGaps: Gap[] }>(GAPS, range(period)).then((r) => r.knowledgeGaps), [api, period]);
  const quality = useLoad(() => api.request<{ reviewQueue: { edges: Array<{ node: QualityTask }> } }>(QUALITY).then((r) => r.reviewQueue.edges.map((e) => e.node)), [api]);
  const now = Date.now();
  // A decided gap leaves the list on the next load, so the confirmation lives here rather than on its card.
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <div className="gaps">
      <h1>{t('gapsTitle')}</h1>
      <PeriodSelect value={period} onChange={setPeriod} />
      <section aria-labelledby="gaps-list">
        <h2 id="gaps-list">{t('gapsList')}</h2>
        {gaps.error && <p className="banner error" role="alert">{t('error', { message: gaps.error })}</p>}
        {notice && <p className="banner ok" role="status" data-testid="gaps-notice">{notice}</p>}
        {gaps.data && gaps.data.length === 0 && <p className="muted">{t('noGaps')}</p>}
        <ul className="cards">
          {gaps.data?.map((g) => (
          <GapCard
            key={g.id}
            api={api}
            gap={g}
            onDone={(message) => {
              setNotice(`${message} “${g.question}”`);
              void gaps.reload();
            }}
          />
        ))}
        </ul>
      </section>
      <section aria-labelledby="low-quality">
        <h2 id="low-quality">{t('lowQuality')}</h2>
        {quality.error && <p className="banner error" role="alert">{t('error', { message: quality.error })}</p>}
        {quality.data && quality.data.length === 0 && <p className="muted">{t('noLowQuality')}</p>}
        {quality.data && quality.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('knowledgeItem')}</th>
                <th scope="col">{t('score')}</th>
                <th scope="col">{t('reviewBy')}</th>
                <th scope="col">{t('reason')}</th>
              </tr>
            </thead>
            <tbody>
              {quality.data.map((q) => (
                <tr key={q.id} data-testid="quality-row">
                  <td>{q.item ? `${titleOf(q.item)} (${q.item.kind})` : '—'}</td>
                  <td>{q.item?.quality ? `${q.item.quality.score.toFixed(2)} / ${q.item.quality.threshold.toFixed(2)}` : '—'}</td>
                  <td>
                    {q.item?.quality ? new Date(q.item.quality.reviewBy).toLocaleDateString() : '—'}
                    {q.item?.quality && new Date(q.item.quality.reviewBy).getTime() < now ? ` (${t('stale')})` : ''}
                  </td>
                  <td>{q.item?.quality?.reasons.join('; ') || q.reason || ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">{t('qualityHelp')}</p>
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

function GapCard({ api, gap, onDone }: { api: Api; gap: Gap; onDone: (message: string) => void }) {
  const { t } = useT();
  const [answer, setAnswer] = useState('');
  const [target, setTarget] = useState(gap.nearest.find((n) => n.item.kind === 'fact')?.item.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const id = `gap-${gap.id}`;
  const act = async (query: string, vars: Record<string, unknown>, message: string) => {
    setError(null);
    try {
      // `version`: refused (CONFLICT) when questions joined the gap since it was read, so nothing unseen is attached.
      await api.request(query, { ...vars, id: gap.id, version: gap.version });
      onDone(message);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const draft = (e: FormEvent) => {
    e.preventDefault();
    void act('mutation Draft($id: ID!, $answer: String!, $version: Int) { draftFactFromGap(id: $id, answer: $answer, version: $version) { id } }', { answer: answer.trim() }, t('draftCreated'));
  };
  const facts = gap.nearest.filter((n) => n.item.kind === 'fact');
  return (
    <li className="card" data-testid="gap">
      <p className="gap-question">“{gap.question}”</p>
      <p className="muted">
        {t('asked', { n: gap.size })} · {gap.language} {gap.lastAt ? `· ${new Date(gap.lastAt).toLocaleString()}` : ''}
        {gap.growth != null ? ` · ${t('growth', { n: gap.growth.toFixed(1) })}` : ''}
      </p>
      {gap.examples.length > 1 && (
        <ul className="examples">
          {gap.examples.slice(1).map((x) => <li key={x}>{x}</li>)}
        </ul>
      )}
      <p className="muted">{Object.entries(gap.reasons).map(([k, v]) => `${k}: ${v}`).join(' · ')}</p>
      {facts.length > 0 && (
        <div className="actions">
          <label htmlFor={`${id}-target`}>{t('targetKnowledge')}</label>
          <select id={`${id}-target`} value={target} onChange={(e) => setTarget(e.target.value)}>
            {facts.map((n) => (
              <option key={n.item.id} value={n.item.id}>{titleOf(n.item)}{n.similarity != null ? ` (${n.similarity.toFixed(2)})` : ''}</option>
            ))}
          </select>
          <button type="button" className="secondary" disabled={!target} onClick={() => void act('mutation Attach($id: ID!, $k: ID!, $version: Int) { resolveKnowledgeGap(id: $id, knowledgeId: $k, version: $version) { id } }', { k: target }, t('attached'))}>
            {t('attachSimilar')}
          </button>
        </div>
      )}
      <form onSubmit={draft}>
        <label htmlFor={`${id}-answer`}>{t('fieldAnswer')}</label>
        <textarea id={`${id}-answer`} rows={2} value={answer} onChange={(e) => setAnswer(e.target.value)} />
        <div className="actions">
          <button type="submit" disabled={!answer.trim()}>{t('draftAnswer')}</button>
          <button type="button" className="secondary" onClick={() => void act('mutation Dismiss($id: ID!, $version: Int) { dismissKnowledgeGap(id: $id, version: $version) { id } }', {}, t('dismissed'))}>
            {t('dismiss')}
          </button>
        </div>
      </form>
      {error && <p className="banner error" role="alert">{t('error', { message: error })}</p>}
    </li>
  );
}
