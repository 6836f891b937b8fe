import type { Visibility } from '../auth/roles.js';
import type { CypherExecutor } from '../graph/executor.js';
import { changedFields, fromRow, type KnowledgeContent } from '../knowledge/knowledge.content.js';
import { referencedPaths, ruleConflict, valueConflict } from './conflicts.js';
import type { ReviewTaskRow } from './review.repository.js';

export interface ItemChange {
  itemId: string;
  change: 'ADDED' | 'MODIFIED' | 'REMOVED';
  kind: string;
  /** Content fields that differ from the live version (MODIFIED). */
  fields: string[];
  before: KnowledgeContent | null;
  after: KnowledgeContent | null;
}

export interface EntityChange {
  entityId: string;
  name: string;
  type: string | null;
  /** ADDED (new with this document), LINKED (existing, the item becomes ABOUT it), CHANGED (gains an alias), REMOVED (merged away). */
  change: 'ADDED' | 'LINKED' | 'CHANGED' | 'REMOVED';
  detail: string | null;
}

export interface RelationChange {
  type: string;
  fromId: string;
  fromName: string;
  toId: string;
  toName: string;
  confidence: number | null;
  evidence: string | null;
  /**
   * ADDED (read from the item's source span), CHANGED (read again from a new version of a source whose previous
   * version stated it), REMOVED (read from the sentence a source-removed item lost; gone with that version) or
   * REWIRED (moves to the kept entity of a merge).
   */
  change: 'ADDED' | 'CHANGED' | 'REMOVED' | 'REWIRED';
}

export interface DuplicateSuspect {
  entityId: string;
  entityName: string;
  candidateId: string;
  candidateName: string;
  score: number | null;
  taskId: string;
}

export interface GraphDiff {
  items: ItemChange[];
  entities: EntityChange[];
  relations: RelationChange[];
  duplicates: DuplicateSuspect[];
}

export interface KnowledgeConflict {
  kind: 'VALUE' | 'RULE_OVERLAP';
  /** The published item the proposal contradicts. */
  itemId: string;
  entityId: string | null;
  entityName: string | null;
  message: string;
  proposed: string[];
  published: string[];
}

/** A row of `review/diff`. */
export interface ReviewDiffRow {
  taskId: string;
  type: ReviewTaskRow['type'];
  documentId: string | null;
  targetId: string;
  targetName: string | null;
  targetType: string | null;
  candidateId: string | null;
  candidateName: string | null;
  /** An entity-merge task's name similarity. */
  score: number | null;
  entities: Array<{ id: string; name: string; type: string; change: 'ADDED' | 'LINKED' }>;
  relations: RelationChange[];
  duplicates: DuplicateSuspect[];
  snapshots: Array<{ version: number; snapshot: string; change: string }>;
  publishedVersion: number | null;
  /** A revision task's proposed content (JSON). */
  proposed: string | null;
  aboutCount: number;
}

const parse = (s: string | undefined): KnowledgeContent | null => (s ? (JSON.parse(s) as KnowledgeContent) : null);

/**
 * What each review task would change in the graph, and what it contradicts in published knowledge.
 * Both are batched: one Cypher query for every task of a page (DataLoaders call these with the keys).
 */
export class ReviewDiffs {
  constructor(private readonly executor: CypherExecutor) {}

  async diffs(taskIds: readonly string[]): Promise<GraphDiff[]> {
    const rows = await this.executor.read('review/diff', { ids: taskIds });
    const byId = new Map(rows.map((r) => [r.taskId, r]));
    return taskIds.map((id) => {
      const r = byId.get(id);
      return r ? toDiff(r) : { items: [], entities: [], relations: [], duplicates: [] };
    });
  }

  async conflicts(tasks: readonly ReviewTaskRow[], visibilities: Visibility[]): Promise<KnowledgeConflict[][]> {
    // A draft proposes its item's content; a revision, the content it carries.
    const drafts = tasks.filter((t) => (t.type === 'draft' || t.type === 'revision') && t.targetLabel === 'Knowledge' && (t.kind === 'fact' || t.kind === 'rule'));
    if (drafts.length === 0) return tasks.map(() => []);
    const items = await this.executor.read('knowledge/export-by-ids', { ids: drafts.filter((t) => t.type === 'draft').map((t) => t.targetId) });
    const content = new Map(items.map((r) => [r.item.id, fromRow(r.item, r.entities)]));
    const proposed = new Map(drafts.flatMap((t) => {
      const c = t.type === 'revision' ? parse(t.proposed ?? undefined) : content.get(t.targetId);
      return c ? [[t.id, c] as const] : [];
    }));
    const rows = drafts.flatMap((t) => {
      const c = proposed.get(t.id);
      return c ? [{ taskId: t.id, itemId: t.targetId, kind: c.kind, paths: c.kind === 'rule' ? referencedPaths(c.when) : [] }] : [];
    });
    const candidates = await this.executor.read('review/conflict-candidates', { rows, visibilities });
    const out = new Map<string, KnowledgeConflict[]>();
    for (const c of candidates) {
      const task = drafts.find((t) => t.id === c.taskId)!;
      const mine = proposed.get(task.id)!;
      const item = c.item;
      const theirs = fromRow(item, c.entities);
      const via = c.via[0] ?? null;
      const list = out.get(task.id) ?? [];
      const v = via ? valueConflict(mine, theirs) : null;
      if (v) {
        list.push({
          kind: 'VALUE',
          itemId: item.id,
          entityId: via!.id,
          entityName: via!.name,
          message: `Published item ${item.id} states the same about ${via!.name} with ${v.published.join(', ')}; this draft says ${v.proposed.join(', ')}.`,
          proposed: v.proposed,
          published: v.published,
        });
      }
      const r = ruleConflict(mine, theirs);
      if (r) {
        list.push({
          kind: 'RULE_OVERLAP',
          itemId: item.id,
          entityId: via?.id ?? null,
          entityName: via?.name ?? null,
          message: `Published rule "${theirs.kind === 'rule' ? theirs.name : item.id}" can fire for the same context (${r.sharedFacts.join(', ')}) with a different outcome.`,
          proposed: mine.kind === 'rule' ? [mine.then] : [],
          published: theirs.kind === 'rule' ? [theirs.then] : [],
        });
      }
      out.set(task.id, list);
    }
    return tasks.map((t) => out.get(t.id) ?? []);
  }
}

function toDiff(r: ReviewDiffRow): GraphDiff {
  const items: ItemChange[] = [];
  const current = parse(r.snapshots[0]?.snapshot);
  const live = r.publishedVersion == null ? null : parse(r.snapshots.find((s) => s.version <= r.publishedVersion!)?.snapshot);
  if (r.type === 'draft' && current) {
    items.push(live
      ? { itemId: r.targetId, change: 'MODIFIED', kind: current.kind, fields: changedFields(live, current), before: live, after: current }
      : { itemId: r.targetId, change: 'ADDED', kind: current.kind, fields: [], before: null, after: current });
  } else if (r.type === 'revision' && current && r.proposed) {
    // The live content against the proposed change (the item keeps its live version until approval).
    const proposed = parse(r.proposed)!;
    items.push({ itemId: r.targetId, change: 'MODIFIED', kind: current.kind, fields: changedFields(current, proposed), before: current, after: proposed });
  } else if (r.type === 'source-removed' && current) {
    items.push({ itemId: r.targetId, change: 'REMOVED', kind: current.kind, fields: [], before: current, after: null });
  }
  const entities: EntityChange[] = r.entities.map((e) => ({ entityId: e.id, name: e.name, type: e.type, change: e.change, detail: null }));
  if (r.type === 'entity-merge' && r.candidateId) {
    entities.push({ entityId: r.targetId, name: r.targetName ?? r.targetId, type: r.targetType, change: 'REMOVED', detail: `merged into ${r.candidateName ?? r.candidateId}; ${r.aboutCount} knowledge items follow` });
    entities.push({ entityId: r.candidateId, name: r.candidateName ?? r.candidateId, type: null, change: 'CHANGED', detail: `gains the alias "${r.targetName ?? ''}"` });
  }
  return { items, entities, relations: r.relations, duplicates: r.duplicates };
}
