import { knowledgeAccess, type Viewer, type Visibility } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import type { KnowledgeContent } from '../knowledge/knowledge.content.js';
import type { KnowledgeService, Transition } from '../knowledge/knowledge.service.js';
import type { Condition } from '../knowledge/rules/index.js';
import { ReviewRepository, type ReviewTaskRow, type ReviewTaskStatus, type ReviewTaskType } from './review.repository.js';

/** Changes an editor makes while approving a draft; omitted fields keep their value. */
export interface ReviewEdits {
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
  name?: string | null;
  when?: unknown;
  then?: string | null;
  otherwise?: string | null;
  intent?: string | null;
  steps?: unknown;
  entities?: string[] | null;
  tags?: string[] | null;
  language?: string | null;
  visibility?: Visibility | null;
}

/** Applies edits to the current content (kind never changes; `needs-condition` goes once `when` is written). */
export function applyEdits(base: KnowledgeContent, e: ReviewEdits): KnowledgeContent {
  const pick = <T>(v: T | null | undefined, fallback: T): T => (v === undefined || v === null ? fallback : v);
  const tags = pick(e.tags, base.tags).filter((t) => !(e.when !== undefined && t === 'needs-condition'));
  const common = { ...base, language: pick(e.language, base.language), visibility: pick(e.visibility, base.visibility), entities: pick(e.entities, base.entities), tags };
  switch (base.kind) {
    case 'fact':
      return { ...common, kind: 'fact', question: pick(e.question, base.question ?? null), answer: pick(e.answer, base.answer ?? null), statement: pick(e.statement, base.statement ?? null) };
    case 'rule':
      return { ...common, kind: 'rule', name: pick(e.name, base.name), when: pick(e.when as Condition | undefined, base.when), then: pick(e.then, base.then), otherwise: pick(e.otherwise, base.otherwise ?? null) };
    case 'process':
      return { ...common, kind: 'process', name: pick(e.name, base.name), intent: pick(e.intent, base.intent ?? null), steps: pick(e.steps as unknown[] | undefined, base.steps) };
  }
}

/**
 * The review workflow over ingestion's tasks. Approving a draft publishes it (after the editor's
 * edits, validated like any knowledge update); rejecting it moves it to REJECTED with the reason.
 * For a `source-removed` task, approve keeps the item live, reject archives it. For an
 * `entity-merge` suggestion, approve merges the new entity into the existing one, reject keeps both.
 * Status moves go through `KnowledgeService.transition`, so history and events are the knowledge API's.
 */
export class ReviewService {
  readonly repo: ReviewRepository;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
  ) {
    this.repo = new ReviewRepository(executor);
  }

  queue(viewer: Viewer, filter: { status: ReviewTaskStatus | null; type: ReviewTaskType | null; documentId: string | null }, page: { skip: number; limit: number }) {
    return this.repo.queue(filter, page, knowledgeAccess(viewer).visibilities);
  }

  async get(viewer: Viewer, id: string): Promise<ReviewTaskRow> {
    const [task] = await this.repo.getByIds([id], knowledgeAccess(viewer).visibilities);
    if (!task) throw new AppError('NOT_FOUND', `Review task ${id} does not exist.`);
    return task;
  }

  private async open(viewer: Viewer, id: string): Promise<ReviewTaskRow> {
    const task = await this.get(viewer, id);
    if (task.status !== 'OPEN') throw new AppError('CONFLICT', `Review task ${id} was already decided (${task.decision ?? task.status}).`, { status: task.status });
    return task;
  }

  async approve(viewer: Viewer, id: string, edits: ReviewEdits | null): Promise<ReviewTaskRow> {
    const task = await this.open(viewer, id);
    const by = viewer.keyId;
    if (task.type === 'entity-merge') {
      if (!task.candidateId) throw new AppError('CONFLICT', 'The suggested entity no longer exists; reject the task.');
      await this.executor.writeTx('review/approve-merge', async (tx) => {
        if (!(await this.repo.complete(tx, { id, decision: 'approved', by, note: null }))) throw new AppError('CONFLICT', `Review task ${id} was already decided.`);
        if (!(await this.repo.mergeEntities(tx, { sourceId: task.targetId, targetId: task.candidateId!, by }))) {
          throw new AppError('CONFLICT', 'One of the two entities no longer exists; reject the task.');
        }
      });
      return this.get(viewer, id);
    }
    if (edits && Object.values(edits).some((v) => v !== undefined && v !== null)) {
      if (edits.visibility === 'RESTRICTED' && !knowledgeAccess(viewer).visibilities.includes('RESTRICTED')) {
        throw new AppError('FORBIDDEN', 'Your key may not write RESTRICTED knowledge.');
      }
      await this.knowledge.update(task.targetId, (base) => applyEdits(base, edits), by);
    }
    if (task.type === 'draft') await this.move(task.targetId, 'publish', 'PUBLISHED', by, null);
    await this.close(id, 'approved', by, null);
    return this.get(viewer, id);
  }

  async reject(viewer: Viewer, id: string, reason: string): Promise<ReviewTaskRow> {
    if (!reason.trim()) throw new AppError('BAD_USER_INPUT', 'Say why the task is rejected (reason).');
    const task = await this.open(viewer, id);
    const by = viewer.keyId;
    if (task.type === 'draft') await this.move(task.targetId, 'reject', 'REJECTED', by, reason);
    else if (task.type === 'source-removed') await this.move(task.targetId, 'archive', 'ARCHIVED', by, reason);
    await this.close(id, 'rejected', by, reason);
    return this.get(viewer, id);
  }

  /** A move that already happened (an editor used the knowledge API meanwhile) is fine. */
  private async move(itemId: string, move: Transition, target: string, by: string | null, reason: string | null) {
    try {
      await this.knowledge.transition(itemId, move, by, reason);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'CONFLICT' && err.details?.status === target)) throw err;
    }
  }

  private async close(id: string, decision: 'approved' | 'rejected', by: string | null, note: string | null) {
    if (!(await this.repo.complete(null, { id, decision, by, note }))) throw new AppError('CONFLICT', `Review task ${id} was already decided.`);
  }
}
