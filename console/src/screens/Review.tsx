import { lazy, Suspense, useEffect, useState } from 'react';
import type { Api } from '../api';
import type { CanvasEdge, CanvasNode } from '../components/GraphCanvas';
import { useT, type MessageKey } from '../i18n';
import { useLoad } from '../usePoll';

const GraphCanvas = lazy(() => import('../components/GraphCanvas'));

interface EntityRef {
  id: string;
  name: string;
  type: string;
  aliases?: string[];
}
interface Item {
  id: string;
  kind: string;
  status: string;
  version: number;
  visibility: string;
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
  name?: string;
  when?: unknown;
  then?: string;
  otherwise?: string | null;
  entities: EntityRef[];
  history: Array<{ version: number; change: string; status: string; at: string; by: string | null; reason: string | null }>;
}
interface Task {
  id: string;
  type: string;
  kind: string;
  status: string;
  reason: string | null;
  createdAt: string;
  decision: string | null;
  decidedBy: string | null;
  note: string | null;
  score: number | null;
  source: { documentTitle: string | null; quote: string; start: number | null; end: number | null; chunkId: string | null } | null;
  item: Item | null;
  entity: EntityRef | null;
  candidate: EntityRef | null;
}

const ENTITY = 'id name type aliases';
const TASK = `id type kind status reason createdAt decision decidedBy note score
  source { documentTitle quote start end chunkId }
  item { id kind status version visibility entities { id name type }
    history { version change status at by reason }
    ... on Fact { question answer statement } ... on Rule { name when then otherwise } ... on Process { name } }
  entity { ${ENTITY} } candidate { ${ENTITY} }`;
const QUEUE = `query Queue($status: ReviewTaskStatus, $type: ReviewTaskType) {
  reviewQueue(first: 50, status: $status, type: $type) { totalCount edges { node { ${TASK} } } } }`;

/**
 * The editors' review queue: filters, a task with its source passage, the change it makes drawn as a small
 * graph, the item's history, and approve (with edits) / reject / merge. The queue refreshes itself whenever
 * knowledge changes anywhere (the knowledgeChanged subscription).
 */
export function Review({ api }: { api: Api }) {
  const { t } = useT();
  const [status, setStatus] = useState('OPEN');
  const [type, setType] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const queue = useLoad(
    () => api.request<{ reviewQueue: { totalCount: number; edges: Array<{ node: Task }> } }>(QUEUE, { status, type: type || null }),
    [api, status, type],
  );
  const reload = queue.reload;
  useEffect(
    () =>
      api.subscribe('subscription Changes { knowledgeChanged { id change } }', {}, () => {
        void reload();
        setNotice('queueUpdated');
      }),
    [api, reload],
  );
  const tasks = queue.data?.reviewQueue.edges.map((e) => e.node) ?? [];
  const task = tasks.find((x) => x.id === selected) ?? null;
  return (
    <div className="split">
      <section className="pane list-pane" aria-labelledby="review-title">
        <h1 id="review-title">{t('reviewTitle')}</h1>
        <fieldset className="filters">
          <legend>{t('filters')}</legend>
          <label>
            {t('taskStatus')}
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="OPEN">{t('open')}</option>
              <option value="DONE">{t('done')}</option>
            </select>
          </label>
          <label>
            {t('taskType')}
            <select value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">{t('any')}</option>
              <option value="DRAFT">draft</option>
              <option value="ENTITY_MERGE">entity-merge</option>
              <option value="SOURCE_REMOVED">source-removed</option>
            </select>
          </label>
        </fieldset>
        {notice && <p className="muted" role="status">{t(notice as MessageKey)}</p>}
        {queue.error && <p className="banner error" role="alert">{t('error', { message: queue.error })}</p>}
        {queue.data && tasks.length === 0 && <p className="muted">{t('reviewEmpty')}</p>}
        <ul className="rows" aria-label={t('reviewTitle')}>
          {tasks.map((x) => (
            <li key={x.id}>
              <button type="button" className={`row ${selected === x.id ? 'selected' : ''}`} aria-pressed={selected === x.id} onClick={() => setSelected(x.id)} data-testid="review-row">
                <span className="pill">{x.type} · {x.kind}</span>
                <span className="row-text">{x.source?.quote ?? x.entity?.name ?? x.item?.id}</span>
                {x.reason && <span className="muted">{x.reason}</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="pane detail-pane" aria-label={t('reviewTitle')}>
        {task ? <TaskView key={task.id} api={api} task={task} onDone={() => void reload()} /> : null}
      </section>
    </div>
  );
}

function diffOf(task: Task): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const nodes: CanvasNode[] = [];
  const edges: CanvasEdge[] = [];
  const item = task.item;
  if (task.type === 'entity-merge' && task.entity && task.candidate) {
    nodes.push({ id: task.entity.id, label: task.entity.name, group: 'entity', state: 'removed' });
    nodes.push({ id: task.candidate.id, label: task.candidate.name, group: 'entity', state: 'changed' });
    edges.push({ id: 'merge', from: task.entity.id, to: task.candidate.id, label: 'MERGE INTO', state: 'added' });
  } else if (item) {
    const label = item.question ?? item.name ?? item.statement ?? item.id;
    const state = task.type === 'source-removed' ? 'changed' : task.status === 'OPEN' ? 'added' : 'existing';
    nodes.push({ id: item.id, label, group: 'knowledge', state });
    for (const e of item.entities) {
      nodes.push({ id: e.id, label: e.name, group: 'entity', state: 'existing' });
      edges.push({ id: `${item.id}-${e.id}`, from: item.id, to: e.id, label: 'ABOUT', state });
    }
    if (task.source?.chunkId) {
      nodes.push({ id: task.source.chunkId, label: task.source.documentTitle ?? 'chunk', group: 'chunk', state: task.type === 'source-removed' ? 'removed' : 'existing' });
      edges.push({ id: `${item.id}-src`, from: item.id, to: task.source.chunkId, label: 'DERIVED_FROM', state: task.type === 'source-removed' ? 'removed' : state });
    }
  }
  return { nodes, edges };
}

function TaskView({ api, task, onDone }: { api: Api; task: Task; onDone: () => void }) {
  const { t } = useT();
  const item = task.item;
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const diff = diffOf(task);
  const fields: Array<[string, MessageKey, string | undefined | null]> = !item
    ? []
    : item.kind === 'fact'
      ? [['question', 'fieldQuestion', item.question], ['answer', 'fieldAnswer', item.answer], ['statement', 'fieldStatement', item.statement]]
      : item.kind === 'rule'
        ? [['name', 'fieldName', item.name], ['when', 'fieldWhen', JSON.stringify(item.when)], ['then', 'fieldThen', item.then]]
        : [['name', 'fieldName', item.name]];

  const run = async (query: string, vars: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await api.request(query, vars);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const approve = () => {
    const changed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(edits)) {
      if (k === 'when') {
        try {
          changed.when = JSON.parse(v);
        } catch {
          setError(t('badJson'));
          return;
        }
      } else changed[k] = v;
    }
    void run('mutation Approve($id: ID!, $edits: ReviewEdits) { approveReviewTask(id: $id, edits: $edits) { id status } }', { id: task.id, edits: Object.keys(changed).length ? changed : null });
  };
  const open = task.status === 'OPEN';
  return (
    <article className="task" data-testid="task-view" aria-labelledby="task-title">
      <h2 id="task-title">{task.type} · {task.kind}</h2>
      {task.reason && <p className="muted">{task.reason}</p>}
      {!open && <p role="status">{t('decided', { decision: task.decision ?? '', by: task.decidedBy ?? '' })}{task.note ? ` — ${task.note}` : ''}</p>}
      {task.source && (
        <section aria-labelledby="src-title">
          <h3 id="src-title">{t('sourceDocument')}: {task.source.documentTitle}</h3>
          <blockquote className="source-quote"><mark>{task.source.quote}</mark></blockquote>
          {task.source.start != null && <p className="muted">{task.source.start}–{task.source.end}</p>}
        </section>
      )}
      <section aria-labelledby="diff-title">
        <h3 id="diff-title">{t('graphDiff')}</h3>
        <p className="legend">
          <span className="key added">{t('added')}</span> <span className="key changed">{t('changed')}</span> <span className="key removed">{t('removed')}</span> <span className="key existing">{t('existing')}</span>
        </p>
        <Suspense fallback={<p>{t('loading')}</p>}>
          <GraphCanvas nodes={diff.nodes} edges={diff.edges} label={t('graphDiff')} height={220} />
        </Suspense>
        <ul className="diff-list">
          {diff.nodes.map((n) => <li key={n.id}><span className={`key ${n.state}`}>{t(n.state ?? 'existing')}</span> {n.group}: {n.label}</li>)}
        </ul>
      </section>
      {open && fields.length > 0 && (
        <fieldset className="edits">
          <legend>{t('edits')}</legend>
          {fields.map(([name, label, value]) => (
            <label key={name} className="field">
              {t(label)}
              <textarea rows={name === 'when' ? 3 : 2} defaultValue={value ?? ''} onChange={(e) => setEdits((x) => ({ ...x, [name]: e.target.value }))} />
            </label>
          ))}
        </fieldset>
      )}
      {error && <p className="banner error" role="alert">{t('error', { message: error })}</p>}
      {open && (
        <div className="actions">
          <button type="button" disabled={busy} onClick={approve} data-testid="approve">
            {task.type === 'entity-merge' && task.candidate ? t('merge', { name: task.candidate.name }) : Object.keys(edits).length ? t('approveWithEdits') : t('approve')}
          </button>
          <label className="inline">
            {t('rejectReason')}
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="button" className="danger" disabled={busy || !reason.trim()} onClick={() => void run('mutation Reject($id: ID!, $reason: String!) { rejectReviewTask(id: $id, reason: $reason) { id } }', { id: task.id, reason: reason.trim() })}>
            {t('reject')}
          </button>
        </div>
      )}
      {item && (
        <section aria-labelledby="history-title">
          <h3 id="history-title">{t('history')}</h3>
          <ol className="history">
            {item.history.map((h) => (
              <li key={`${h.version}-${h.change}-${h.at}`}>
                v{h.version} · {h.change} · {h.status} · {new Date(h.at).toLocaleString()} {h.by ? `· ${h.by}` : ''} {h.reason ? `— ${h.reason}` : ''}
              </li>
            ))}
          </ol>
          {(item.status === 'ARCHIVED' || item.status === 'REJECTED') && (
            <button type="button" className="secondary" disabled={busy} onClick={() => void run('mutation Restore($id: ID!) { restoreKnowledge(id: $id) { id } }', { id: item.id })}>{t('restore')}</button>
          )}
        </section>
      )}
    </article>
  );
}
