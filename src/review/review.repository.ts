import type { Visibility } from '../auth/roles.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';

/**
 * `quality`: a published item whose quality score fell below the threshold; `suggestion`: a contradiction,
 * near-duplicate or stale item found by src/learning; `revision`: an editor's proposed change to a live item
 * (proposeKnowledgeRevision), which keeps answering with its live version until the change is approved.
 */
export const reviewTaskTypes = ['draft', 'entity-merge', 'source-removed', 'quality', 'suggestion', 'revision'] as const;
export type ReviewTaskType = (typeof reviewTaskTypes)[number];
export const reviewTaskStatuses = ['OPEN', 'DONE'] as const;
export type ReviewTaskStatus = (typeof reviewTaskStatuses)[number];

/** A review task as the queue shows it. */
export interface ReviewTaskRow {
  id: string;
  type: ReviewTaskType;
  status: ReviewTaskStatus;
  createdAt: string;
  reason: string | null;
  /** Similarity of an entity-merge suggestion. */
  score: number | null;
  /** The source passage and its offsets into the document text (drafts; source-removed: the lost quote). */
  quote: string | null;
  start: number | null;
  end: number | null;
  documentId: string | null;
  documentTitle: string | null;
  chunkId: string | null;
  targetId: string;
  targetLabel: 'Knowledge' | 'Entity';
  /** fact, rule, process, or entity. */
  kind: string;
  candidateId: string | null;
  decision: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
  assignee: string | null;
  assignedAt: string | null;
  releaseId: string | null;
  /** Revision: every change to the task increments it (the version check of concurrent decisions). */
  rev: number;
  approvedBy: string[];
  approvedByNames: string[];
  approvedAt: string[];
  /** Content hash the approvals so far were given to. */
  approvedHash: string | null;
  /** Visibility of the knowledge item (null for entities); RESTRICTED when a revision proposes to make it so. */
  visibility: Visibility | null;
  /** A revision task's proposed content (KnowledgeContent as JSON), else null. */
  proposed: string | null;
  /** The live version a revision was proposed on: approving it after the item moved on is a CONFLICT. */
  baseVersion: number | null;
  /** Key id of the editor who proposed a revision. */
  proposedBy: string | null;
  /** The merge an approved entity-merge task carried out (undoEntityMerge takes it), while not undone. */
  mergeId: string | null;
  /** Extraction confidence (entity merges: name similarity; drafts: the extraction rule's). */
  confidence: number;
}

export interface QueueFilter {
  status: ReviewTaskStatus | null;
  type: ReviewTaskType | null;
  kind?: string | null;
  documentId: string | null;
  /** Key id, or '' for unassigned tasks. */
  assignee?: string | null;
  minConfidence?: number | null;
  maxConfidence?: number | null;
  createdBefore?: Date | null;
  createdAfter?: Date | null;
}

export class ReviewRepository {
  constructor(private readonly executor: CypherExecutor) {}

  async queue(filter: QueueFilter, page: { skip: number; limit: number }, visibilities: Visibility[]): Promise<{ total: number; items: ReviewTaskRow[] }> {
    const [row] = await this.executor.read('review/queue', {
      status: filter.status,
      type: filter.type,
      kind: filter.kind ?? null,
      documentId: filter.documentId,
      assignee: filter.assignee ?? null,
      minConfidence: filter.minConfidence ?? null,
      maxConfidence: filter.maxConfidence ?? null,
      createdBefore: filter.createdBefore?.toISOString() ?? null,
      createdAfter: filter.createdAfter?.toISOString() ?? null,
      visibilities,
      ...page,
    });
    return { total: row?.total ?? 0, items: row?.items ?? [] };
  }

  async getByIds(ids: readonly string[], visibilities: Visibility[], tx: Tx | null = null): Promise<Array<ReviewTaskRow | null>> {
    const rows = tx ? await tx.run('review/get', { ids, visibilities }) : await this.executor.read('review/get', { ids, visibilities });
    const map = new Map(rows.map((r) => [r.task.id, r.task]));
    return ids.map((id) => map.get(id) ?? null);
  }

  /** Closes the task if it is open at revision `rev`; false when it was decided or changed meanwhile. */
  async complete(tx: Tx, input: { id: string; rev: number; decision: 'approved' | 'rejected'; by: string | null; byName: string; note: string | null; releaseId: string | null; resetApprovals: boolean }): Promise<boolean> {
    const rows = await tx.run('review/complete', input);
    return rows[0]?.wasOpen ?? false;
  }
}
