import type { Visibility } from '../auth/roles.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';

export const reviewTaskTypes = ['draft', 'entity-merge', 'source-removed'] as const;
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
}

export class ReviewRepository {
  constructor(private readonly executor: CypherExecutor) {}

  async queue(filter: { status: ReviewTaskStatus | null; type: ReviewTaskType | null; documentId: string | null }, page: { skip: number; limit: number }, visibilities: Visibility[]): Promise<{ total: number; items: ReviewTaskRow[] }> {
    const [row] = await this.executor.read('review/queue', { ...filter, visibilities, ...page });
    return { total: Number(row?.total ?? 0), items: (row?.items ?? []) as ReviewTaskRow[] };
  }

  async getByIds(ids: readonly string[], visibilities: Visibility[]): Promise<Array<ReviewTaskRow | null>> {
    const rows = await this.executor.read('review/get', { ids, visibilities });
    const map = new Map(rows.map((r) => [(r.task as ReviewTaskRow).id, r.task as ReviewTaskRow]));
    return ids.map((id) => map.get(id) ?? null);
  }

  /** Closes the task; false when it was already closed. */
  async complete(tx: Tx | null, input: { id: string; decision: 'approved' | 'rejected'; by: string | null; note: string | null }): Promise<boolean> {
    const rows = tx ? await tx.run('review/complete', input) : await this.executor.write('review/complete', input);
    return Boolean(rows[0]?.wasOpen);
  }

  async mergeEntities(tx: Tx, input: { sourceId: string; targetId: string; by: string | null }): Promise<boolean> {
    return (await tx.run('review/merge-entities', input)).length > 0;
  }
}
