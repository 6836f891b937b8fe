import { useState, type FormEvent } from 'react';
import type { Api } from '../api';
import GraphCanvas, { type CanvasEdge, type CanvasNode } from '../components/GraphCanvas';
import { useT } from '../i18n';

interface EntityHit {
  id: string;
  name: string;
  type: string;
  aliases: string[];
}
interface Neighbourhood {
  nodes: Array<{ id: string; label: string; name: string; type: string }>;
  edges: Array<{ from: string; to: string; type: string; confidence: number | null }>;
}
interface KnowledgeDetail {
  id: string;
  kind: string;
  status: string;
  visibility: string;
  version: number;
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
  name?: string;
  then?: string;
  steps?: unknown;
  entities: Array<{ id: string; name: string }>;
  sources: Array<{ documentTitle: string; quote: string }>;
}

const SEARCH = 'query Entities($q: String) { entities(search: $q, first: 20) { edges { node { id name type aliases } } } }';
const NEIGHBOURS = 'query Neighbours($id: ID!) { entity(id: $id) { id name type neighbourhood(depth: 1, limit: 40) { nodes { id label name type } edges { from to type confidence } } } }';
const KNOWLEDGE = `query Knowledge($id: ID!) { knowledgeItem(id: $id) { id kind status visibility version entities { id name } sources { documentTitle quote }
  ... on Fact { question answer statement } ... on Rule { name then } ... on Process { name steps } } }`;

/**
 * Bloom-style exploration: search an entity, draw its neighbourhood, expand further entities by clicking
 * them (or with their buttons in the list), and open the knowledge about them.
 */
export default function GraphExplorer({ api }: { api: Api }) {
  const { t } = useT();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<EntityHit[] | null>(null);
  const [nodes, setNodes] = useState<CanvasNode[]>([]);
  const [edges, setEdges] = useState<CanvasEdge[]>([]);
  const [info, setInfo] = useState<Record<string, { label: string; type: string }>>({});
  const [knowledge, setKnowledge] = useState<KnowledgeDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const guard = async (f: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await f();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    void guard(async () => setHits((await api.request<{ entities: { edges: Array<{ node: EntityHit }> } }>(SEARCH, { q: q.trim() || null })).entities.edges.map((x) => x.node)));
  };
  const expand = (id: string, reset = false) =>
    guard(async () => {
      const r = await api.request<{ entity: { id: string; name: string; type: string; neighbourhood: Neighbourhood } | null }>(NEIGHBOURS, { id });
      if (!r.entity) {
        setError(t('noEntities'));
        return;
      }
      const n = r.entity.neighbourhood;
      const fresh: CanvasNode[] = [{ id: r.entity.id, label: r.entity.name, group: 'entity' }, ...n.nodes.map((x) => ({ id: x.id, label: x.name, group: x.label === 'Entity' ? 'entity' : 'knowledge' }))];
      const freshEdges = n.edges.map((x) => ({ id: `${x.from}-${x.type}-${x.to}`, from: x.from, to: x.to, label: x.type }));
      setNodes((old) => mergeById(reset ? [] : old, fresh));
      setEdges((old) => mergeById(reset ? [] : old, freshEdges));
      setInfo((old) => ({ ...(reset ? {} : old), [r.entity!.id]: { label: 'Entity', type: r.entity!.type }, ...Object.fromEntries(n.nodes.map((x) => [x.id, { label: x.label, type: x.type }])) }));
    });
  const open = (id: string) =>
    guard(async () => {
      if (info[id]?.label === 'Entity') {
        await expand(id);
        return;
      }
      setKnowledge((await api.request<{ knowledgeItem: KnowledgeDetail | null }>(KNOWLEDGE, { id })).knowledgeItem);
    });

  return (
    <div className="explorer">
      <h1>{t('graphTitle')}</h1>
      <form className="search" onSubmit={search} role="search">
        <label htmlFor="entity-search">{t('searchEntity')}</label>
        <input id="entity-search" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">{t('search')}</button>
      </form>
      {error && <p className="banner error" role="alert">{t('error', { message: error })}</p>}
      {hits && hits.length === 0 && <p className="muted">{t('noEntities')}</p>}
      {hits && hits.length > 0 && (
        <ul className="chips" aria-label={t('searchEntity')}>
          {hits.map((h) => (
            <li key={h.id}>
              <button type="button" className="small" onClick={() => void expand(h.id, true)} data-testid="entity-hit">{h.name} <span className="muted">({h.type})</span></button>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">{t('graphHelp')}</p>
      {busy && <p role="status">{t('loading')}</p>}
      <div className="split">
        <div className="pane">
          <GraphCanvas nodes={nodes} edges={edges} onSelect={(id) => void open(id)} label={t('graphTitle')} height={420} />
          <ul className="node-list">
            {nodes.map((n) => (
              <li key={n.id}>
                <button type="button" className="link" onClick={() => void open(n.id)}>{n.group === 'entity' ? `${t('expand')}: ` : ''}{n.label}</button>
                <span className="muted"> {info[n.id]?.type ?? ''}</span>
              </li>
            ))}
          </ul>
        </div>
        <aside className="pane" aria-label={t('knowledgeItem')}>
          {knowledge && (
            <article data-testid="knowledge-detail">
              <h2>{knowledge.question ?? knowledge.name ?? knowledge.statement}</h2>
              <p className="muted">{knowledge.kind} · {knowledge.status} · {knowledge.visibility} · v{knowledge.version}</p>
              {knowledge.answer && <p>{knowledge.answer}</p>}
              {knowledge.then && <p>{knowledge.then}</p>}
              {knowledge.steps != null && <pre className="context" tabIndex={0} aria-label="Process steps">{JSON.stringify(knowledge.steps, null, 2)}</pre>}
              {knowledge.sources.map((s, i) => (
                <blockquote key={i} className="source-quote"><mark>{s.quote}</mark> <span className="muted">— {s.documentTitle}</span></blockquote>
              ))}
              <p>{knowledge.entities.map((e) => e.name).join(', ')}</p>
            </article>
          )}
        </aside>
      </div>
    </div>
  );
}

function mergeById<T extends { id: string }>(old: T[], fresh: T[]): T[] {
  const seen = new Set(old.map((x) => x.id));
  return [...old, ...fresh.filter((x) => !seen.has(x.id) && (seen.add(x.id), true))];
}
