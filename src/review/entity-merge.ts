import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { Viewer } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';

export interface MergeResult {
  mergeId: string;
  sourceId: string;
  targetId: string;
  closedTaskIds: string[];
}

/**
 * Entity merges that can be undone. A merge moves everything to the kept entity but deletes nothing:
 * the merged entity keeps its node (relabelled `:MergedEntity`, out of every query and index) and the
 * merge keeps a snapshot of its relationships, so `undo` puts the graph back as it was. Both are
 * audited in the same transaction.
 */
export class EntityMergeService {
  constructor(
    private readonly executor: CypherExecutor,
    private readonly audit: AuditService,
  ) {}

  /** Merges `sourceId` into `targetId` inside the caller's transaction. */
  async mergeInTx(tx: Tx, viewer: Viewer, input: { sourceId: string; targetId: string; taskId: string | null }): Promise<MergeResult> {
    if (input.sourceId === input.targetId) throw new AppError('BAD_USER_INPUT', `An entity cannot be merged into itself (${input.sourceId}).`, { id: input.sourceId });
    const locked = await tx.run('review/lock-entities', { ids: [input.sourceId, input.targetId] });
    for (const id of [input.sourceId, input.targetId]) {
      if (!locked.some((r) => r.id === id)) throw new AppError('NOT_FOUND', `Entity ${id} does not exist.`, { id });
    }
    const rels = await tx.run('review/entity-relationships', { id: input.sourceId });
    const mergeId = randomUUID();
    const [row] = await tx.run('review/merge-entities', {
      mergeId,
      sourceId: input.sourceId,
      targetId: input.targetId,
      by: viewer.keyId,
      taskId: input.taskId,
      snapshot: JSON.stringify(rels),
    });
    if (!row) throw new AppError('CONFLICT', 'One of the two entities no longer exists.');
    const names = Object.fromEntries(locked.map((r) => [String(r.id), String(r.name)]));
    const closedTaskIds = (row.closedTaskIds as string[]) ?? [];
    await this.audit.append(tx, viewer, {
      action: 'entity.merge',
      targetType: 'Entity',
      targetId: input.targetId,
      before: { source: { id: input.sourceId, name: names[input.sourceId] }, target: { id: input.targetId, name: names[input.targetId] }, relationships: rels.length },
      after: { target: input.targetId, aliasAdded: names[input.sourceId] },
      details: { mergeId, taskId: input.taskId, closedTaskIds },
    });
    return { mergeId, sourceId: input.sourceId, targetId: input.targetId, closedTaskIds };
  }

  merge(viewer: Viewer, sourceId: string, targetId: string): Promise<MergeResult> {
    if (sourceId === targetId) return Promise.reject(new AppError('BAD_USER_INPUT', `An entity cannot be merged into itself (${sourceId}).`, { id: sourceId }));
    return this.executor.writeTx('review/merge-entities', (tx) => this.mergeInTx(tx, viewer, { sourceId, targetId, taskId: null }));
  }

  /** Undoes a merge: the merged entity, its relationships and the tasks the merge closed come back. */
  async undo(viewer: Viewer, mergeId: string): Promise<{ mergeId: string; sourceId: string; targetId: string; reopenedTaskIds: string[] }> {
    return this.executor.writeTx('review/undo-merge', async (tx) => {
      const [row] = await tx.run('review/lock-merge', { id: mergeId });
      if (!row) throw new AppError('NOT_FOUND', `Entity merge ${mergeId} does not exist.`, { id: mergeId });
      const m = row.merge as { sourceId: string; targetId: string; taskId: string | null; undoneAt: string | null; snapshot: string; closedTaskIds: string[] | null; sourceName: string };
      if (m.undoneAt) throw new AppError('CONFLICT', `Entity merge ${mergeId} was already undone (${m.undoneAt}).`, { id: mergeId, undoneAt: m.undoneAt });
      if (!row.sourceKept) throw new AppError('CONFLICT', `The merged entity ${m.sourceId} is gone; the merge cannot be undone.`);
      // The merged entity's key may have been taken since by a new entity; the unique constraint would refuse it.
      const [taken] = await tx.run('review/entity-by-key', { key: row.sourceKey });
      if (taken) throw new AppError('CONFLICT', `Entity ${String(taken.id)} now has the merged entity's name; merge or rename it before undoing.`, { entityId: taken.id });
      const rels = JSON.parse(m.snapshot) as Array<{ type: string; out: boolean; otherElementId: string; props: Record<string, unknown> }>;
      const [done] = await tx.run('review/unmerge-entities', { id: mergeId, by: viewer.keyId, rels });
      if (!done) throw new AppError('CONFLICT', `Entity merge ${mergeId} cannot be undone: the kept entity ${m.targetId} no longer exists.`);
      const reopenedTaskIds = [...(m.closedTaskIds ?? []), ...(m.taskId ? [m.taskId] : [])];
      await this.audit.append(tx, viewer, {
        action: 'entity.unmerge',
        targetType: 'Entity',
        targetId: m.sourceId,
        before: { mergedInto: m.targetId },
        after: { restored: m.sourceId, relationships: Number(done.restored) },
        details: { mergeId, reopenedTaskIds },
      });
      return { mergeId, sourceId: m.sourceId, targetId: m.targetId, reopenedTaskIds };
    });
  }
}
