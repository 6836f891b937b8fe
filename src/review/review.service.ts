import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import { assertMayWriteVisibility } from '../auth/policies.js';
import { knowledgeAccess, type Viewer } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { changedFields, contentHash, fromRow, type KnowledgeContent } from '../knowledge/knowledge.content.js';
import { mergeContent, type KnowledgePatch } from '../knowledge/kinds/index.js';
import type { KnowledgeRow } from '../knowledge/knowledge.repository.js';
import { contentProblems, transitions, type KnowledgeService, type Transition } from '../knowledge/knowledge.service.js';
import type { PubSub } from '../infra/pubsub.js';
import type { EntityMergeService } from './entity-merge.js';
import type { ReleaseService } from './release.service.js';
import { ReviewDiffs } from './review.diff.js';
import { publishReviewEvent, type ReviewQueueChange } from './review.events.js';
import { ReviewRepository, type QueueFilter, type ReviewTaskRow } from './review.repository.js';

/**
 * Changes an editor makes while approving a draft; omitted fields keep their value. The same patch
 * as updateKnowledge's, applied by the same `mergeContent` (kind never changes; a rule's
 * `needs-condition` tag goes once `when` is written).
 */
export type ReviewEdits = KnowledgePatch;

/**
 * Approvals a task needs: RESTRICTED knowledge needs two different editors (four eyes), for a draft and
 * for a revision of a live item alike (a revision's row is RESTRICTED when it proposes to make the item so).
 */
export function requiredApprovals(task: Pick<ReviewTaskRow, 'type' | 'visibility'>): number {
  return (task.type === 'draft' || task.type === 'revision') && task.visibility === 'RESTRICTED' ? 2 : 1;
}

export interface ApproveOptions {
  edits?: ReviewEdits | null;
  /** The task revision the editor saw; a task changed since is a CONFLICT (STALE). */
  expectedRevision?: number | null;
  /** Publish the item at once as a one-item release (default), or leave it approved for a later release. */
  publish?: boolean;
  note?: string | null;
}

export interface BulkOutcome {
  id: string;
  task: ReviewTaskRow | null;
  error: { code: string; message: string } | null;
}

const hasEdits = (e: ReviewEdits | null | undefined): e is ReviewEdits => !!e && Object.values(e).some((v) => v !== undefined && v !== null);

/**
 * The review workflow over ingestion's tasks. Every decision is one transaction that takes the task's
 * lock first, re-reads it, checks its revision, and writes the decision, the knowledge change, the
 * release and the audit event together — so approving twice, or two editors racing, is a typed
 * CONFLICT with nothing half-written.
 *
 * Approving a draft publishes it as a one-item release (or leaves it approved for a batch release);
 * a RESTRICTED draft needs approvals from two different editors, and an edit by the second editor
 * restarts the count with theirs (both must have approved the same content). Rejecting a draft moves
 * it to REJECTED with the reason. For a `source-removed` task, approve keeps the item live, reject
 * archives it. For an `entity-merge` suggestion, approve merges (with undo), reject keeps both.
 */
export class ReviewService {
  readonly repo: ReviewRepository;
  readonly diffs: ReviewDiffs;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
    private readonly audit: AuditService,
    readonly releases: ReleaseService,
    readonly merges: EntityMergeService,
    private readonly pubsub: PubSub,
  ) {
    this.repo = new ReviewRepository(executor);
    this.diffs = new ReviewDiffs(executor);
  }

  queue(viewer: Viewer, filter: QueueFilter, page: { skip: number; limit: number }) {
    return this.repo.queue(filter, page, knowledgeAccess(viewer).visibilities);
  }

  async get(viewer: Viewer, id: string): Promise<ReviewTaskRow> {
    const [task] = await this.repo.getByIds([id], knowledgeAccess(viewer).visibilities);
    if (!task) throw new AppError('NOT_FOUND', `Review task ${id} does not exist.`);
    return task;
  }

  /** Locks the task, reads it again under the lock and checks it can still be decided. */
  private async lockOpen(tx: Tx, viewer: Viewer, id: string, expectedRevision: number | null | undefined): Promise<ReviewTaskRow> {
    const visibilities = knowledgeAccess(viewer).visibilities;
    if ((await tx.run('review/lock-task', { id, visibilities })).length === 0) throw new AppError('NOT_FOUND', `Review task ${id} does not exist.`, { id });
    const [task] = await this.repo.getByIds([id], visibilities, tx);
    if (!task) throw new AppError('NOT_FOUND', `Review task ${id} does not exist.`, { id });
    if (task.status !== 'OPEN') {
      throw new AppError('CONFLICT', `Review task ${id} was already decided (${task.decision ?? task.status} by ${task.decidedBy ?? 'someone'}).`, { id, status: task.status, reason: 'ALREADY_DECIDED' });
    }
    if (expectedRevision != null && expectedRevision !== task.rev) {
      throw new AppError('CONFLICT', `Review task ${id} changed since you read it (revision ${expectedRevision}, now ${task.rev}); reload it.`, { id, reason: 'STALE', rev: task.rev });
    }
    return task;
  }

  async approve(viewer: Viewer, id: string, opts: ApproveOptions = {}): Promise<ReviewTaskRow> {
    const by = viewer.keyId;
    const out = await this.executor.writeTx('review/approve', async (tx) => {
      const task = await this.lockOpen(tx, viewer, id, opts.expectedRevision);
      if (task.type === 'entity-merge') {
        if (!task.candidateId) throw new AppError('CONFLICT', 'The suggested entity no longer exists; reject the task.');
        const merge = await this.merges.mergeInTx(tx, viewer, { sourceId: task.targetId, targetId: task.candidateId, taskId: id });
        await this.closeInTx(tx, viewer, task, 'approved', null, null, { mergeId: merge.mergeId });
        return { change: 'approved' as ReviewQueueChange, itemId: null, releaseId: null, status: 'DONE' };
      }
      const [row] = await tx.run('knowledge/export-by-ids', { ids: [task.targetId] });
      if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${task.targetId} does not exist.`);
      if (task.type === 'revision') return this.approveRevisionInTx(tx, viewer, task, row, hasEdits(opts.edits) ? opts.edits : null, opts);
      let item = row.item;
      const edits = hasEdits(opts.edits) ? opts.edits : null;
      if (edits) {
        assertMayWriteVisibility(viewer, edits.visibility);
        const base = fromRow(item, row.entities);
        const next = mergeContent(base.kind, edits, base);
        const problems = contentProblems(next);
        if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid ${next.kind}: ${problems.join('; ')}`, { problems });
        await this.knowledge.saveInTx(tx, { items: [{ id: item.id, content: next }], status: item.status, keepStatus: true, by });
        const [after] = await tx.run('knowledge/export-by-ids', { ids: [task.targetId] });
        item = after!.item;
      }
      // A suggestion (src/learning) is review work about a live item: approving records the decision.
      if (task.type === 'source-removed' || task.type === 'suggestion') {
        await this.closeInTx(tx, viewer, task, 'approved', null, null, { kept: item.id, edited: !!edits });
        return { change: 'approved' as ReviewQueueChange, itemId: edits ? item.id : null, releaseId: null, status: 'DONE' };
      }
      // A draft: count this approval (four eyes for RESTRICTED).
      const required = requiredApprovals({ type: task.type, visibility: item.visibility });
      const counted = await this.countApproval(tx, viewer, task, { hash: item.contentHash, required, itemId: item.id, itemVersion: item.version, edited: !!edits });
      if (counted.pending) {
        if (item.status === 'DRAFT') await this.releases.setStatus(tx, item.id, 'IN_REVIEW', transitions.submit.from, 'submit', by, 'first of two approvals');
        return { change: 'approval' as ReviewQueueChange, itemId: item.id, releaseId: null, status: 'OPEN' };
      }
      const { approvals, sameContent } = counted;
      let releaseId: string | null = null;
      if (opts.publish !== false) {
        releaseId = (await this.releases.publishInTx(tx, viewer, { publish: [item.id], archive: [], note: opts.note ?? `review task ${id}` }, { approvingTaskId: id })).id;
      } else if (item.status === 'DRAFT') {
        await this.releases.setStatus(tx, item.id, 'IN_REVIEW', transitions.submit.from, 'submit', by, 'approved; waiting for a release');
      }
      await this.closeInTx(tx, viewer, task, 'approved', null, releaseId, { itemId: item.id, itemVersion: item.version, approvals, required, edited: !!edits }, !sameContent);
      return { change: 'approved' as ReviewQueueChange, itemId: item.id, releaseId, status: 'DONE' };
    });
    if (out.itemId) await this.knowledge.notify(out.itemId, out.releaseId ? 'publish' : 'review', by);
    await publishReviewEvent(this.pubsub, { taskId: id, releaseId: out.releaseId, change: out.change, status: out.status, by });
    return this.get(viewer, id);
  }

  /**
   * Counts one approval of `hash` (the content approved). Approvals of other content no longer count; the
   * same editor twice is a CONFLICT (FOUR_EYES). Below `required`, the approval is recorded and audited and
   * the task stays open (`pending`).
   */
  private async countApproval(
    tx: Tx,
    viewer: Viewer,
    task: ReviewTaskRow,
    input: { hash: string; required: number; itemId: string; itemVersion: number; edited: boolean },
  ): Promise<{ pending: true } | { pending: false; approvals: number; sameContent: boolean }> {
    const by = viewer.keyId;
    const sameContent = task.approvedHash === input.hash;
    const earlier = sameContent ? task.approvedBy : [];
    if (earlier.includes(by ?? '')) {
      throw new AppError('CONFLICT', `You approved task ${task.id} already; RESTRICTED knowledge needs a second, different editor.`, { id: task.id, reason: 'FOUR_EYES', approvals: earlier.length, required: input.required });
    }
    const approvals = earlier.length + 1;
    if (approvals >= input.required) return { pending: false, approvals, sameContent };
    const [added] = await tx.run('review/add-approval', { id: task.id, rev: task.rev, by, name: viewer.name, reset: !sameContent, approvedHash: input.hash });
    if (!added) throw new AppError('CONFLICT', `Review task ${task.id} changed while it was being approved; reload it.`, { id: task.id, reason: 'STALE' });
    await this.audit.append(tx, viewer, {
      action: 'review.approve',
      targetType: 'ReviewTask',
      targetId: task.id,
      before: { status: 'OPEN', approvals: earlier.length },
      after: { status: 'OPEN', approvals, required: input.required, itemVersion: input.itemVersion },
      details: { itemId: input.itemId, edited: input.edited },
    });
    return { pending: true };
  }

  /**
   * Proposes a change to a live item for review (a `revision` task): the item keeps answering with its
   * live version; approving the task (two different editors when the item is, or becomes, RESTRICTED)
   * writes the change as a new live version. One open revision per item; the proposal is audited.
   */
  async proposeRevision(viewer: Viewer, itemId: string, patch: KnowledgePatch, note: string | null): Promise<ReviewTaskRow> {
    const access = knowledgeAccess(viewer);
    const id = randomUUID();
    await this.executor.writeTx('review/propose-revision', async (tx) => {
      const [locked] = await tx.run('review/lock-item', { id: itemId, visibilities: access.visibilities });
      if (!locked) throw new AppError('NOT_FOUND', `Knowledge item ${itemId} does not exist.`, { id: itemId });
      const item = locked.item;
      if (item.status !== 'PUBLISHED') {
        throw new AppError('BAD_USER_INPUT', `Knowledge item ${itemId} is ${item.status}, not live: change it with updateKnowledge (a revision changes a live item).`, { id: itemId, status: item.status });
      }
      assertMayWriteVisibility(viewer, patch.visibility);
      const [row] = await tx.run('knowledge/export-by-ids', { ids: [itemId] });
      const base = fromRow(row!.item, row!.entities);
      const next = mergeContent(base.kind, patch, base);
      const problems = contentProblems(next);
      if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid ${next.kind}: ${problems.join('; ')}`, { problems });
      const fields = changedFields(base, next);
      if (fields.length === 0) throw new AppError('BAD_USER_INPUT', `The change leaves knowledge item ${itemId} as it is.`, { id: itemId });
      const [created] = await tx.run('review/create-revision', {
        id,
        itemId,
        proposed: JSON.stringify(next),
        proposedVisibility: next.visibility,
        baseVersion: item.version,
        reason: note?.trim() || `edit of live ${next.kind}: ${fields.join(', ')}`,
        by: viewer.keyId,
        byName: viewer.name,
      });
      if (!created?.id) {
        throw new AppError('CONFLICT', `Knowledge item ${itemId} has a revision waiting for review (task ${created?.openTaskId ?? '?'}); decide that one first.`, { id: itemId, reason: 'REVISION_OPEN', taskId: created?.openTaskId ?? null });
      }
      await this.audit.append(tx, viewer, {
        action: 'review.propose',
        targetType: 'ReviewTask',
        targetId: id,
        before: { itemVersion: item.version, status: item.status },
        after: { status: 'OPEN', fields },
        details: { itemId, visibility: next.visibility },
      });
    });
    await publishReviewEvent(this.pubsub, { taskId: id, releaseId: null, change: 'created', status: 'OPEN', by: viewer.keyId });
    return this.get(viewer, id);
  }

  /**
   * Approves a revision (under the task's lock): the proposal (with the approver's edits over it) is
   * counted like a draft's content; the last approval writes it as the item's new live version. A live
   * item changed since the proposal was made is a CONFLICT: the approver would not see what goes live.
   */
  private async approveRevisionInTx(tx: Tx, viewer: Viewer, task: ReviewTaskRow, row: { item: KnowledgeRow; entities: string[] }, edits: ReviewEdits | null, opts: ApproveOptions) {
    const item = row.item;
    if (item.status !== 'PUBLISHED' || item.version !== task.baseVersion) {
      throw new AppError('CONFLICT', `Knowledge item ${item.id} changed since this revision was proposed (version ${task.baseVersion ?? '?'}, now ${item.version}, ${item.status}); reject the task and propose the change again.`, {
        id: task.id,
        reason: 'STALE_REVISION',
      });
    }
    if (opts.publish === false) throw new AppError('BAD_USER_INPUT', 'A revision of a live item goes live when it is approved; publish: false applies to drafts.');
    let proposed = JSON.parse(task.proposed ?? 'null') as KnowledgeContent | null;
    if (!proposed) throw new AppError('CONFLICT', `Review task ${task.id} carries no proposed content; reject it.`, { id: task.id });
    if (edits) {
      assertMayWriteVisibility(viewer, edits.visibility);
      proposed = mergeContent(proposed.kind, edits, proposed);
      const problems = contentProblems(proposed);
      if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid ${proposed.kind}: ${problems.join('; ')}`, { problems });
      await tx.run('review/set-revision', { id: task.id, proposed: JSON.stringify(proposed), proposedVisibility: proposed.visibility });
    }
    const visibility = item.visibility === 'RESTRICTED' || proposed.visibility === 'RESTRICTED' ? 'RESTRICTED' : item.visibility;
    const required = requiredApprovals({ type: 'revision', visibility });
    const counted = await this.countApproval(tx, viewer, task, { hash: contentHash(proposed), required, itemId: item.id, itemVersion: item.version, edited: !!edits });
    if (counted.pending) return { change: 'approval' as ReviewQueueChange, itemId: null, releaseId: null, status: 'OPEN' };
    const before = fromRow(item, row.entities);
    const { outcomes } = await this.knowledge.saveInTx(tx, { items: [{ id: item.id, content: proposed }], status: 'PUBLISHED', keepStatus: true, by: viewer.keyId });
    const changed = outcomes[0]?.outcome !== 'unchanged';
    await this.closeInTx(
      tx,
      viewer,
      task,
      'approved',
      null,
      null,
      { itemId: item.id, fromVersion: item.version, toVersion: changed ? item.version + 1 : item.version, fields: changedFields(before, proposed), approvals: counted.approvals, required, edited: !!edits },
      !counted.sameContent,
    );
    return { change: 'approved' as ReviewQueueChange, itemId: changed ? item.id : null, releaseId: null, status: 'DONE' };
  }

  async reject(viewer: Viewer, id: string, reason: string, expectedRevision: number | null = null): Promise<ReviewTaskRow> {
    if (!reason.trim()) throw new AppError('BAD_USER_INPUT', 'Say why the task is rejected (reason).');
    const by = viewer.keyId;
    const itemId = await this.executor.writeTx('review/reject', async (tx) => {
      const task = await this.lockOpen(tx, viewer, id, expectedRevision);
      let moved: string | null = null;
      if (task.type === 'draft') {
        await this.moveIfNeeded(tx, task.targetId, 'REJECTED', transitions.reject.from, 'reject', by, reason);
        moved = task.targetId;
      } else if (task.type === 'source-removed' || task.type === 'quality') {
        // A demoted item whose review is rejected leaves service (archived, never deleted).
        await this.moveIfNeeded(tx, task.targetId, 'ARCHIVED', transitions.archive.from, 'archive', by, reason);
        moved = task.targetId;
      }
      await this.closeInTx(tx, viewer, task, 'rejected', reason, null, { itemId: moved });
      return moved;
    });
    if (itemId) await this.knowledge.notify(itemId, 'reject', by);
    await publishReviewEvent(this.pubsub, { taskId: id, releaseId: null, change: 'rejected', status: 'DONE', by });
    return this.get(viewer, id);
  }

  /** Assigns an open task to an editor (an EDITOR or ADMIN key), or clears it with `assignee: null`. */
  async assign(viewer: Viewer, id: string, assignee: string | null, expectedRevision: number | null = null): Promise<ReviewTaskRow> {
    await this.executor.writeTx('review/assign', async (tx) => {
      const task = await this.lockOpen(tx, viewer, id, expectedRevision);
      if (assignee !== null && assignee !== 'bootstrap-admin' && (await tx.run('review/assignee', { id: assignee })).length === 0) {
        throw new AppError('BAD_USER_INPUT', `${assignee} is not an active EDITOR or ADMIN key; tasks are assigned to those.`, { assignee });
      }
      if ((await tx.run('review/assign', { id, rev: task.rev, assignee, by: viewer.keyId })).length === 0) {
        throw new AppError('CONFLICT', `Review task ${id} changed while it was being assigned; reload it.`, { id, reason: 'STALE' });
      }
      await this.audit.append(tx, viewer, { action: 'review.assign', targetType: 'ReviewTask', targetId: id, before: { assignee: task.assignee }, after: { assignee } });
    });
    await publishReviewEvent(this.pubsub, { taskId: id, releaseId: null, change: 'assigned', status: 'OPEN', by: viewer.keyId });
    return this.get(viewer, id);
  }

  /** Decides many tasks, each in its own transaction: one failing (typed error) does not stop the others. */
  async bulk(viewer: Viewer, ids: readonly string[], action: 'APPROVE' | 'REJECT', reason: string | null): Promise<BulkOutcome[]> {
    if (ids.length === 0 || ids.length > 200) throw new AppError('BAD_USER_INPUT', `Give 1 to 200 task ids; got ${ids.length}.`);
    if (new Set(ids).size !== ids.length) throw new AppError('BAD_USER_INPUT', 'A task id appears twice.');
    if (action === 'REJECT' && !reason?.trim()) throw new AppError('BAD_USER_INPUT', 'Say why the tasks are rejected (reason).');
    const out: BulkOutcome[] = [];
    for (const id of ids) {
      try {
        const task = action === 'APPROVE' ? await this.approve(viewer, id, { note: reason }) : await this.reject(viewer, id, reason!);
        out.push({ id, task, error: null });
      } catch (err) {
        if (!(err instanceof AppError) || err.category !== 'client') throw err;
        out.push({ id, task: null, error: { code: err.code, message: err.message } });
      }
    }
    return out;
  }

  /** Merges an entity into another (outside a suggestion), with undo. */
  async mergeEntities(viewer: Viewer, sourceId: string, targetId: string) {
    const r = await this.merges.merge(viewer, sourceId, targetId);
    for (const taskId of r.closedTaskIds) await publishReviewEvent(this.pubsub, { taskId, releaseId: null, change: 'merged', status: 'DONE', by: viewer.keyId });
    return r;
  }

  async undoMerge(viewer: Viewer, mergeId: string) {
    const r = await this.merges.undo(viewer, mergeId);
    for (const taskId of r.reopenedTaskIds) await publishReviewEvent(this.pubsub, { taskId, releaseId: null, change: 'reopened', status: 'OPEN', by: viewer.keyId });
    return r;
  }

  async publishRelease(viewer: Viewer, input: { publish: readonly string[]; archive: readonly string[]; note: string | null }): Promise<string> {
    const id = await this.releases.publish(viewer, input);
    await publishReviewEvent(this.pubsub, { taskId: null, releaseId: id, change: 'released', status: 'PUBLISHED', by: viewer.keyId });
    return id;
  }

  async rollbackRelease(viewer: Viewer, id: string): Promise<void> {
    await this.releases.rollback(viewer, id);
    await publishReviewEvent(this.pubsub, { taskId: null, releaseId: id, change: 'rolled-back', status: 'ROLLED_BACK', by: viewer.keyId });
  }

  /**
   * Approves a document version's passages for answering: until then (or, passage by passage, until a draft of it is
   * approved, or when its source is trusted) customers never get its sentences as answers.
   */
  async approveDocument(viewer: Viewer, id: string): Promise<{ id: string; approvedAt: string; status: string }> {
    return this.executor.writeTx('review/approve-document', async (tx) => {
      const [row] = await tx.run('review/approve-document', { id, by: viewer.keyId, visibilities: knowledgeAccess(viewer).visibilities });
      if (!row) throw new AppError('NOT_FOUND', `Document ${id} does not exist.`, { id });
      if (row.previouslyApproved) throw new AppError('CONFLICT', `Document ${id} was already approved (${String(row.approvedAt)}).`, { id });
      await this.audit.append(tx, viewer, { action: 'document.approve', targetType: 'Document', targetId: id, before: { approved: false }, after: { approved: true, status: row.status } });
      return { id, approvedAt: String(row.approvedAt), status: String(row.status) };
    });
  }

  /**
   * A status move of the knowledge API (archive, reject, restore, submit) with its audit event, in one
   * transaction. Publishing goes through releases instead (see {@link ReleaseService}).
   */
  async moveItem(viewer: Viewer, id: string, move: Exclude<Transition, 'publish'>, reason: string | null): Promise<KnowledgeRow> {
    const t = transitions[move];
    const item = await this.executor.writeTx('review/move-item', async (tx) => {
      const [r] = await tx.run('knowledge/set-status', { id, status: t.to, from: t.from, change: move, by: viewer.keyId, reason });
      if (!r) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
      if (!r.allowed) throw new AppError('CONFLICT', `Cannot ${move} an item that is ${r.previous}; allowed from ${t.from.join(', ')}.`, { status: r.previous });
      await this.audit.append(tx, viewer, { action: 'knowledge.status', targetType: 'Knowledge', targetId: id, before: { status: r.previous }, after: { status: t.to }, details: { change: move, reason } });
      return r.item;
    });
    await this.knowledge.notify(id, move, viewer.keyId);
    return item;
  }

  /** A status move that already happened (an editor used the knowledge API meanwhile) is fine. */
  private async moveIfNeeded(tx: Tx, itemId: string, status: KnowledgeRow['status'], from: KnowledgeRow['status'][], change: string, by: string | null, reason: string | null) {
    const [row] = await tx.run('knowledge/set-status', { id: itemId, status, from, change, by, reason });
    if (row && !row.allowed && row.previous !== status) {
      throw new AppError('CONFLICT', `Cannot ${change} an item that is ${row.previous}; allowed from ${from.join(', ')}.`, { status: row.previous });
    }
  }

  private async closeInTx(tx: Tx, viewer: Viewer, task: ReviewTaskRow, decision: 'approved' | 'rejected', note: string | null, releaseId: string | null, details: Record<string, unknown>, resetApprovals = false) {
    if (!(await this.repo.complete(tx, { id: task.id, rev: task.rev, decision, by: viewer.keyId, byName: viewer.name, note, releaseId, resetApprovals }))) {
      throw new AppError('CONFLICT', `Review task ${task.id} was decided by someone else meanwhile; reload it.`, { id: task.id, reason: 'STALE' });
    }
    await this.audit.append(tx, viewer, {
      action: decision === 'approved' ? 'review.approve' : 'review.reject',
      targetType: 'ReviewTask',
      targetId: task.id,
      before: { status: 'OPEN', approvals: task.approvedBy.length },
      after: { status: 'DONE', decision, note, releaseId, approvedBy: decision === 'approved' ? [...(resetApprovals ? [] : task.approvedBy), viewer.keyId] : [] },
      details: { type: task.type, targetId: task.targetId, ...details },
    });
  }
}
