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
type Change = 'ADDED' | 'CHANGED' | 'DELETED' | 'LINKED' | 'MODIFIED' | 'REMOVED' | 'REWIRED';
interface Diff {
  entities: Array<{ entityId: string; name: string; type: string | null; change: Change; detail: string | null }>;
  items: Array<{ itemId: string; kind: string; change: Change; fields: string[]; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>;
  relations: Array<{ fromId: string; fromName: string; toId: string; toName: string; type: string; change: Change; evidence: string | null }>;
  duplicates: Array<{ entityId: string; entityName: string; candidateId: string; candidateName: string; score: number | null }>;
}
interface Task {
  id: string;
  type: string;
  mergeId: string | null;
  kind: string;
  status: string;
  revision: number;
  confidence: number;
  assignee: string | null;
  requiredApprovals: number;
  approvals: Array<{ by: string; name: string | null }>;
  diff: Diff;
  conflicts: Array<{ kind: string; message: string; itemId: string; entityName: string | null; proposed: string[]; published: string[] }>;
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
const TASK = `id type kind status reason createdAt decision decidedBy note score revision confidence assignee requiredApprovals mergeId
  approvals { by name }
  diff { entities { entityId name type change detail } items { itemId kind change fields before after }
    relations { fromId fromName toId toName type change evidence } duplicates { entityId entityName candidateId candidateName score } }
  conflicts { kind message itemId entityName proposed published }
  source { documentTitle quote start end chunkId }
  item { id kind status version visibility entities { id name type }
    history { version change status at by reason }
    ... on Fact { question answer statement } ... on Rule { name when then otherwise } ... on Process { name } }
  entity { ${ENTITY} } candidate { ${ENTITY} }`;
// The list stays light (the API's cost limit counts every nested list); the selected task is loaded whole.
const QUEUE = `query Queue($status: ReviewTaskStatus, $type: ReviewTaskType, $kind: String, $unassigned: Boolean) {
  reviewQueue(first: 50, status: $status, type: $type, kind: $kind, unassigned: $unassigned) {
    totalCount edges { node { id type kind status reason confidence source { quote } entity { name }
      item { id ... on Fact { question statement } ... on Rule { name } ... on Process { name } } } } } }`;
const TASK_QUERY = `query Task($id: ID!) { reviewTask(id: $id) { ${TASK} } }`;

type Row = Pick<Task, 'id' | 'type' | 'kind' | 'status' | 'reason' | 'confidence'> & {
  source: { quote: string } | null;
  entity: { name: string } | null;
  item: { id: string; question?: string | null; statement?: string | null; name?: string } | null;
};

/**
 * The editors' review queue: filters, a task with its source passage, the change it makes drawn as a small
 * graph, the item's history, and approve (with edits) / reject / merge. The queue refreshes itself whenever
 * knowledge changes anywhere (the knowledgeChanged subscription).
 */
export function Review({ api }: { api: Api }) {
  const { t } = useT();
  const [status, setStatus] = useState('OPEN');
  const [type, setType] = useState('');
  const [kind, setKind] = useState('');
  const [unassigned, setUnassigned] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const queue = useLoad(
    () => api.request<{ reviewQueue: { totalCount: number; edges: Array<{ node: Row }> } }>(QUEUE, { status, type: type || null, kind: kind || null, unassigned: unassigned || null }),
    [api, status, type, kind, unassigned],
  );
  const reload = queue.reload;
  useEffect(
    () =>
      // Any editor's decision, assignment or release, on any replica.
      api.subscribe('subscription QueueChanges { reviewQueueChanged { change taskId } }', {}, () => {
        void reload();
        setChanges((n) => n + 1);
        setNotice('queueUpdated');
      }),
    [api, reload],
  );
  const tasks = queue.data?.reviewQueue.edges.map((e) => e.node) ?? [];
  const [changes, setChanges] = useState(0);
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
              <option value="QUALITY">quality</option>
              <option value="SUGGESTION">suggestion</option>
              <option value="REVISION">revision</option>
            </select>
          </label>
          <label>
            {t('taskKind')}
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">{t('any')}</option>
              <option value="fact">fact</option>
              <option value="rule">rule</option>
              <option value="process">process</option>
              <option value="entity">entity</option>
            </select>
          </label>
          <label className="inline">
            <input type="checkbox" checked={unassigned} onChange={(e) => setUnassigned(e.target.checked)} />
            {t('onlyUnassigned')}
          </label>
        </fieldset>
        {notice && <p className="muted" role="status">{t(notice as MessageKey)}</p>}
        {queue.error && <p className="banner error" role="alert">{t('error', { message: queue.error })}</p>}
        {queue.data && tasks.length === 0 && <p className="muted">{t('reviewEmpty')}</p>}
        <ul className="rows" aria-label={t('reviewTitle')}>
          {tasks.map((x) => (
            <li key={x.id}>
              <button type="button" className={`row ${selected === x.id ? 'selected' : ''}`} aria-pressed={selected === x.id} onClick={() => setSelected(x.id)} data-testid="review-row">
                <span className="pill">{x.type} · {x.kind} · {Math.round(x.confidence * 100)} %</span>
                <span className="row-text">{x.source?.quote ?? x.item?.question ?? x.item?.name ?? x.item?.statement ?? x.entity?.name ?? x.item?.id}</span>
                {x.reason && <span className="muted">{x.reason}</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="pane detail-pane" aria-label={t('reviewTitle')}>
        {selected ? <TaskLoader key={selected} api={api} id={selected} changes={changes} onDone={() => void reload()} /> : null}
      </section>
    </div>
  );
}

const STATE: Record<Change, CanvasNode['state']> = { ADDED: 'added', LINKED: 'added', CHANGED: 'changed', MODIFIED: 'changed', REWIRED: 'changed', REMOVED: 'removed', DELETED: 'removed' };

/** The task's graph diff as nodes and edges: what the API's diff says changes, on the item's existing neighbours. */
function diffOf(task: Task): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const nodes = new Map<string, CanvasNode>();
  const edges: CanvasEdge[] = [];
  const node = (n: CanvasNode) => {
    const old = nodes.get(n.id);
    if (!old || (old.state === 'existing' && n.state !== 'existing')) nodes.set(n.id, n);
  };
  const item = task.item;
  const title = item ? (item.question ?? item.name ?? item.statement ?? item.id) : '';
  for (const c of task.diff.items) node({ id: c.itemId, label: c.itemId === item?.id ? title : c.itemId, group: 'knowledge', state: STATE[c.change] });
  for (const c of task.diff.entities) node({ id: c.entityId, label: c.name, group: 'entity', state: STATE[c.change] });
  for (const r of task.diff.relations) {
    node({ id: r.fromId, label: r.fromName, group: 'entity', state: 'existing' });
    node({ id: r.toId, label: r.toName, group: 'entity', state: 'existing' });
    edges.push({ id: `${r.fromId}-${r.type}-${r.toId}`, from: r.fromId, to: r.toId, label: r.type, state: STATE[r.change] });
  }
  if (task.entity && task.candidate) {
    node({ id: task.entity.id, label: task.entity.name, group: 'entity', state: 'removed' });
    node({ id: task.candidate.id, label: task.candidate.name, group: 'entity', state: 'changed' });
    edges.push({ id: 'merge', from: task.entity.id, to: task.candidate.id, label: 'MERGE INTO', state: 'added' });
  }
  if (item) {
    const itemState = nodes.get(item.id)?.state ?? (task.type === 'source-removed' ? 'changed' : 'existing');
    node({ id: item.id, label: title, group: 'knowledge', state: itemState });
    for (const e of item.entities) {
      node({ id: e.id, label: e.name, group: 'entity', state: 'existing' });
      if (!edges.some((x) => x.from === item.id && x.to === e.id)) edges.push({ id: `${item.id}-ABOUT-${e.id}`, from: item.id, to: e.id, label: 'ABOUT', state: itemState === 'added' ? 'added' : 'existing' });
    }
    if (task.source?.chunkId) {
      node({ id: task.source.chunkId, label: task.source.documentTitle ?? 'chunk', group: 'chunk', state: task.type === 'source-removed' ? 'removed' : 'existing' });
      edges.push({ id: `${item.id}-src`, from: item.id, to: task.source.chunkId, label: 'DERIVED_FROM', state: task.type === 'source-removed' ? 'removed' : itemState === 'added' ? 'added' : 'existing' });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

function TaskLoader({ api, id, changes, onDone }: { api: Api; id: string; changes: number; onDone: () => void }) {
  const { t } = useT();
  const task = useLoad(() => api.request<{ reviewTask: Task | null }>(TASK_QUERY, { id }).then((r) => r.reviewTask), [api, id, changes]);
  if (task.error) return <p className="banner error" role="alert">{t('error', { message: task.error })}</p>;
  if (!task.data) return <p>{t('loading')}</p>;
  return (
    <TaskView
      key={`${task.data.id}-${task.data.revision}`}
      api={api}
      task={task.data}
      onDone={() => {
        void task.reload();
        onDone();
      }}
    />
  );
}

function TaskView({ api, task, onDone }: { api: Api; task: Task; onDone: () => void }) {
  const { t } = useT();
  const item = task.item;
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const diff = diffOf(task);
  // A revision is edited over the content it proposes (the item still holds its live version).
  const proposed = task.type === 'revision' ? task.diff.items[0]?.after : null;
  const value = (field: 'question' | 'answer' | 'statement' | 'name' | 'then'): string | null | undefined => (proposed ? (proposed[field] as string | null | undefined) : item?.[field]);
  const fields: Array<[string, MessageKey, string | undefined | null]> = !item
    ? []
    : item.kind === 'fact'
      ? [['question', 'fieldQuestion', value('question')], ['answer', 'fieldAnswer', value('answer')], ['statement', 'fieldStatement', value('statement')]]
      : item.kind === 'rule'
        ? [['name', 'fieldName', value('name')], ['when', 'fieldWhen', JSON.stringify(proposed ? proposed.when : item.when)], ['then', 'fieldThen', value('then')]]
        : [['name', 'fieldName', value('name')]];
  const modified = task.diff.items.filter((c) => c.change === 'MODIFIED' && c.fields.length > 0);
  const shown = (v: unknown) => (v == null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

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
  // The API answers a refused undo (already undone, kept entity gone) as a typed result, not an error.
  const undoMerge = async (mergeId: string) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.request<{ undoEntityMerge: { __typename: string; message?: string } }>('mutation Undo($id: ID!) { undoEntityMerge(id: $id) { __typename ... on ReviewActionError { message } } }', { id: mergeId });
      if (r.undoEntityMerge.message) setError(r.undoEntityMerge.message);
      else onDone();
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
    // expectedRevision: another editor's decision in the meantime is a CONFLICT, not silently overwritten.
    void run('mutation Approve($id: ID!, $edits: ReviewEdits, $rev: Int) { approveReviewTask(id: $id, edits: $edits, expectedRevision: $rev) { id status } }', {
      id: task.id,
      edits: Object.keys(changed).length ? changed : null,
      rev: task.revision,
    });
  };
  const open = task.status === 'OPEN';
  return (
    <article className="task" data-testid="task-view" aria-labelledby="task-title">
      <h2 id="task-title">{task.type} · {task.kind}</h2>
      {task.reason && <p className="muted">{task.reason}</p>}
      {!open && <p role="status">{t('decided', { decision: task.decision ?? '', by: task.decidedBy ?? '' })}{task.note ? ` — ${task.note}` : ''}</p>}
      <p className="muted">
        {t('confidenceOf', { n: Math.round(task.confidence * 100) })} · {t('approvals', { n: task.approvals.length, of: task.requiredApprovals })}
        {task.approvals.length > 0 ? ` (${task.approvals.map((a) => a.name ?? a.by).join(', ')})` : ''}
      </p>
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
        {modified.map((c) => (
          <dl key={`mod-${c.itemId}`} className="field-changes" data-testid="field-changes" aria-label={t('fieldChanges')}>
            {c.fields.map((f) => (
              <div key={f}>
                <dt>{f}</dt>
                <dd><del>{shown(c.before?.[f])}</del> → <ins>{shown(c.after?.[f])}</ins></dd>
              </div>
            ))}
          </dl>
        ))}
      </section>
      <section aria-labelledby="conflicts-title">
        <h3 id="conflicts-title">{t('conflicts')}</h3>
        {task.conflicts.length === 0 ? (
          <p className="muted">{t('noConflicts')}</p>
        ) : (
          <ul className="conflicts" data-testid="conflicts">
            {task.conflicts.map((c, i) => (
              <li key={i}>
                <strong>{c.kind}</strong> {c.message}
                {c.published.length > 0 && <span className="muted"> — {t('published')}: {c.published.join('; ')}</span>}
              </li>
            ))}
          </ul>
        )}
        {task.diff.duplicates.map((d) => (
          <p key={`${d.entityId}-${d.candidateId}`} className="muted">{t('duplicate', { a: d.entityName, b: d.candidateName })}</p>
        ))}
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
          <button type="button" className="danger" disabled={busy || !reason.trim()} onClick={() => void run('mutation Reject($id: ID!, $reason: String!, $rev: Int) { rejectReviewTask(id: $id, reason: $reason, expectedRevision: $rev) { id } }', { id: task.id, reason: reason.trim(), rev: task.revision })}>
            {t('reject')}
          </button>
        </div>
      )}
      {!open && task.mergeId && (
        <div className="actions">
          {/* Undo restores the merged entity and its relationships, and reopens this task. */}
          <button type="button" className="secondary" disabled={busy} data-testid="undo-merge" onClick={() => void undoMerge(task.mergeId!)}>
            {t('undoMerge')}
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
          {item.history
            // A live item goes back only to content that was live once (the API refuses the others).
            .filter((h) => h.version < item.version && (h.change === 'create' || h.change === 'update' || h.change === 'rollback'))
            .filter((h) => item.status !== 'PUBLISHED' || item.history.some((x) => x.version === h.version && x.status === 'PUBLISHED'))
            .slice(0, 3)
            .map((h) => (
              <button key={`rb-${h.version}-${h.at}`} type="button" className="secondary" disabled={busy} onClick={() => void run('mutation Rollback($id: ID!, $v: Int!) { rollbackKnowledge(id: $id, toVersion: $v) { id } }', { id: item.id, v: h.version })}>
                {t('rollbackTo', { n: h.version })}
              </button>
            ))}
          {(item.status === 'ARCHIVED' || item.status === 'REJECTED') && (
            <button type="button" className="secondary" disabled={busy} onClick={() => void run('mutation Restore($id: ID!) { restoreKnowledge(id: $id) { id } }', { id: item.id })}>{t('restore')}</button>
          )}
        </section>
      )}
    </article>
  );
}
