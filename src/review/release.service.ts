import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import { knowledgeAccess, type KnowledgeStatus, type Viewer, type Visibility } from '../auth/roles.js';
import { mayWriteVisibility } from '../auth/policies.js';
import { AppError } from '../errors.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { changedFields, fromRow, type KnowledgeContent } from '../knowledge/knowledge.content.js';
import type { KnowledgeRow } from '../knowledge/knowledge.repository.js';
import { contentProblems, transitions, type KnowledgeService } from '../knowledge/knowledge.service.js';

export type ReleaseChange = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One item of a release (or of a preview): what it was, what it becomes. */
export interface ReleaseEntry {
  itemId: string;
  change: ReleaseChange;
  fromStatus: KnowledgeStatus;
  toStatus: KnowledgeStatus;
  version: number;
  /** Content fields changed since the item was last live (MODIFIED), else []. */
  fields: string[];
  /** Content when last live (MODIFIED, DELETED) and content going live (ADDED, MODIFIED). */
  before: KnowledgeContent | null;
  after: KnowledgeContent | null;
}

export interface ReleaseProblem {
  itemId: string;
  code: 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN';
  message: string;
}

export interface ReleasePlan {
  entries: ReleaseEntry[];
  problems: ReleaseProblem[];
}

export interface ReleaseRow {
  id: string;
  note: string | null;
  status: 'PUBLISHED' | 'ROLLED_BACK';
  createdAt: string;
  createdBy: string | null;
  createdByName: string | null;
  rolledBackAt: string | null;
  rolledBackBy: string | null;
  entries: Array<{ itemId: string; change: ReleaseChange; fromStatus: KnowledgeStatus; toStatus: KnowledgeStatus; version: number; fields: string[]; currentStatus: KnowledgeStatus; visibility: Visibility }>;
}

/** A row of `review/release-candidates`. */
export interface ReleaseCandidateRow {
  item: KnowledgeRow;
  entities: string[];
  openTaskIds: string[];
  approvals: number | null;
  snapshots: Array<{ version: number; snapshot: string }>;
  publishedVersion: number | null;
}

const parse = (s: string | undefined): KnowledgeContent | null => (s ? (JSON.parse(s) as KnowledgeContent) : null);

/**
 * Releases: approved changes go live together — a batch an editor publishes (with a preview of the
 * diff first), or the single item of an approved review task — and can be rolled back as a whole.
 * Items can also be rolled back one at a time to an earlier version. Every write is one transaction
 * with its audit event; a plan with any problem writes nothing.
 */
export class ReleaseService {
  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
    private readonly audit: AuditService,
  ) {}

  /** What publishing `publish` and taking down `archive` would change, and what stands in the way. */
  async plan(tx: Tx | null, viewer: Viewer, input: { publish: readonly string[]; archive: readonly string[] }, opts: { approvingTaskId?: string } = {}): Promise<ReleasePlan> {
    const all = [...input.publish, ...input.archive];
    if (all.length === 0) throw new AppError('BAD_USER_INPUT', 'A release needs at least one item to publish or archive.');
    if (new Set(all).size !== all.length) throw new AppError('BAD_USER_INPUT', 'An item appears twice in the release.');
    if (all.length > 1000) throw new AppError('BAD_USER_INPUT', 'A release holds at most 1,000 items.');
    const access = knowledgeAccess(viewer);
    const params = { ids: all, visibilities: access.visibilities };
    if (tx) await tx.run('review/lock-items', { ids: all });
    const rows = tx ? await tx.run('review/release-candidates', params) : await this.executor.read('review/release-candidates', params);
    const byId = new Map(rows.map((r) => [r.item.id, r]));
    const entries: ReleaseEntry[] = [];
    const problems: ReleaseProblem[] = [];
    const archiveSet = new Set(input.archive);
    for (const id of all) {
      const r = byId.get(id);
      if (!r) {
        problems.push({ itemId: id, code: 'NOT_FOUND', message: `Knowledge item ${id} does not exist.` });
        continue;
      }
      const current = fromRow(r.item, r.entities);
      const lastLive = r.publishedVersion == null ? null : parse(r.snapshots.find((s) => s.version <= r.publishedVersion!)?.snapshot);
      if (archiveSet.has(id)) {
        if (r.item.status !== 'PUBLISHED') problems.push({ itemId: id, code: 'CONFLICT', message: `${id} is ${r.item.status}; only a PUBLISHED item can be taken down.` });
        else entries.push({ itemId: id, change: 'DELETED', fromStatus: 'PUBLISHED', toStatus: 'ARCHIVED', version: r.item.version, fields: [], before: current, after: null });
        continue;
      }
      if (!transitions.publish.from.includes(r.item.status)) {
        problems.push({ itemId: id, code: 'CONFLICT', message: `${id} is ${r.item.status}; ${r.item.status === 'PUBLISHED' ? 'it is already live' : 'restore it to a draft first'}.` });
        continue;
      }
      const open = r.openTaskIds.filter((t) => t !== opts.approvingTaskId);
      if (open.length > 0) {
        problems.push({ itemId: id, code: 'CONFLICT', message: `${id} has an open review task (${open.join(', ')}); it is released when the task is approved.` });
        continue;
      }
      if (!opts.approvingTaskId && r.item.visibility === 'RESTRICTED' && (r.approvals ?? 0) < 2) {
        problems.push({ itemId: id, code: 'FORBIDDEN', message: `${id} is RESTRICTED: it needs approvals from two different editors before release.` });
        continue;
      }
      const problemsOfContent = contentProblems(current);
      if (problemsOfContent.length > 0) {
        problems.push({ itemId: id, code: 'CONFLICT', message: `${id} is not valid: ${problemsOfContent.join('; ')}` });
        continue;
      }
      entries.push({
        itemId: id,
        change: lastLive ? 'MODIFIED' : 'ADDED',
        fromStatus: r.item.status,
        toStatus: 'PUBLISHED',
        version: r.item.version,
        fields: lastLive ? changedFields(lastLive, current) : [],
        before: lastLive,
        after: current,
      });
    }
    return { entries, problems };
  }

  preview(viewer: Viewer, input: { publish: readonly string[]; archive: readonly string[] }): Promise<ReleasePlan> {
    return this.plan(null, viewer, input);
  }

  /** Publishes a release in the caller's transaction; any problem in the plan refuses the whole release. */
  async publishInTx(tx: Tx, viewer: Viewer, input: { publish: readonly string[]; archive: readonly string[]; note: string | null }, opts: { approvingTaskId?: string } = {}): Promise<{ id: string; itemIds: string[] }> {
    const plan = await this.plan(tx, viewer, input, opts);
    if (plan.problems.length > 0) {
      const first = plan.problems[0]!;
      throw new AppError(first.code, plan.problems.length === 1 ? first.message : `${first.message} (and ${plan.problems.length - 1} more problems)`, { problems: plan.problems });
    }
    const id = randomUUID();
    await tx.run('review/create-release', {
      release: { id, note: input.note, by: viewer.keyId, byName: viewer.name },
      entries: plan.entries.map((e) => ({ itemId: e.itemId, change: e.change, fromStatus: e.fromStatus, toStatus: e.toStatus, version: e.version, fields: e.fields })),
    });
    for (const e of plan.entries) {
      const move = e.change === 'DELETED' ? transitions.archive : transitions.publish;
      await this.setStatus(tx, e.itemId, e.toStatus, move.from, e.change === 'DELETED' ? 'archive' : 'publish', viewer.keyId, `release ${id}`);
    }
    await this.audit.append(tx, viewer, {
      action: 'release.publish',
      targetType: 'Release',
      targetId: id,
      before: plan.entries.map((e) => ({ itemId: e.itemId, status: e.fromStatus, version: e.version })),
      after: plan.entries.map((e) => ({ itemId: e.itemId, status: e.toStatus, change: e.change, fields: e.fields })),
      details: { note: input.note, approvingTaskId: opts.approvingTaskId ?? null },
    });
    return { id, itemIds: plan.entries.map((e) => e.itemId) };
  }

  async publish(viewer: Viewer, input: { publish: readonly string[]; archive: readonly string[]; note: string | null }): Promise<string> {
    const r = await this.executor.writeTx('review/publish-release', (tx) => this.publishInTx(tx, viewer, input));
    for (const itemId of r.itemIds) await this.knowledge.notify(itemId, 'release', viewer.keyId);
    return r.id;
  }

  /**
   * Rolls a whole release back: what it published is taken down (ARCHIVED: it never answers again),
   * what it took down is live again. Items already moved on since are left as they are.
   */
  async rollback(viewer: Viewer, id: string): Promise<string[]> {
    const itemIds = await this.executor.writeTx('review/rollback-release', async (tx) => {
      await tx.run('review/lock-release', { id });
      const [row] = await tx.run('review/get-releases', { ids: [id] });
      if (!row) throw new AppError('NOT_FOUND', `Release ${id} does not exist.`, { id });
      const release = row.release;
      if (release.status !== 'PUBLISHED') throw new AppError('CONFLICT', `Release ${id} was already rolled back (${release.rolledBackAt ?? ''}).`, { id, status: release.status });
      if (release.entries.some((e) => !mayWriteVisibility(viewer, e.visibility))) throw new AppError('FORBIDDEN', `Release ${id} contains RESTRICTED knowledge your key may not change.`);
      const moved: string[] = [];
      for (const e of release.entries) {
        if (e.change === 'DELETED' && e.currentStatus === 'ARCHIVED') {
          await this.setStatus(tx, e.itemId, 'PUBLISHED', ['ARCHIVED'], 'publish', viewer.keyId, `rollback of release ${id}`);
          moved.push(e.itemId);
        } else if (e.change !== 'DELETED' && e.currentStatus === 'PUBLISHED') {
          await this.setStatus(tx, e.itemId, 'ARCHIVED', ['PUBLISHED'], 'archive', viewer.keyId, `rollback of release ${id}`);
          moved.push(e.itemId);
        }
      }
      if ((await tx.run('review/release-rolled-back', { id, by: viewer.keyId })).length === 0) throw new AppError('CONFLICT', `Release ${id} was already rolled back.`);
      await this.audit.append(tx, viewer, {
        action: 'release.rollback',
        targetType: 'Release',
        targetId: id,
        before: release.entries.map((e) => ({ itemId: e.itemId, status: e.currentStatus })),
        after: release.entries.map((e) => ({ itemId: e.itemId, status: moved.includes(e.itemId) ? (e.change === 'DELETED' ? 'PUBLISHED' : 'ARCHIVED') : e.currentStatus })),
        details: { untouched: release.entries.filter((e) => !moved.includes(e.itemId)).map((e) => e.itemId) },
      });
      return moved;
    });
    for (const itemId of itemIds) await this.knowledge.notify(itemId, 'rollback', viewer.keyId);
    return itemIds;
  }

  /**
   * Rolls one item back to the content of an earlier version, written as a new version (history is
   * never rewritten). Its status is kept: a live item goes live with the earlier content — so a live
   * item goes back only to content that was live once (approved then); a draft's content goes live
   * through review, never through a rollback.
   */
  async rollbackItem(viewer: Viewer, id: string, toVersion: number): Promise<void> {
    if (!Number.isInteger(toVersion) || toVersion < 1) throw new AppError('BAD_USER_INPUT', `toVersion must be a version number (1 or more); got ${toVersion}.`);
    const access = knowledgeAccess(viewer);
    const changed = await this.executor.writeTx('review/rollback-item', async (tx) => {
      const [row] = await tx.run('review/lock-item', { id, visibilities: access.visibilities });
      if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`, { id });
      const item = row.item;
      const snapshots = row.snapshots;
      const target = snapshots.find((s) => s.version === toVersion);
      if (!target) {
        throw new AppError('NOT_FOUND', `Knowledge item ${id} has no version ${toVersion} (versions: ${snapshots.map((s) => s.version).reverse().join(', ')}).`, { id, toVersion });
      }
      if (toVersion === item.version) throw new AppError('CONFLICT', `Knowledge item ${id} is at version ${toVersion} already.`, { id, toVersion });
      if (item.status === 'PUBLISHED' && !row.publishedVersions.map(Number).includes(toVersion)) {
        throw new AppError('BAD_USER_INPUT', `Version ${toVersion} of ${id} was never published: a live item goes back only to content that was live (a draft's content goes live through review).`, {
          id,
          toVersion,
          publishedVersions: row.publishedVersions.map(Number),
        });
      }
      const content = { ...(JSON.parse(target.snapshot) as KnowledgeContent), externalId: item.externalId };
      if (!mayWriteVisibility(access, content.visibility)) throw new AppError('FORBIDDEN', `Version ${toVersion} of ${id} is ${content.visibility}; your key may not write it.`);
      const { outcomes } = await this.knowledge.saveInTx(tx, { items: [{ id, content }], status: item.status, keepStatus: true, by: viewer.keyId });
      if (outcomes[0]?.outcome === 'unchanged') throw new AppError('CONFLICT', `Version ${toVersion} of ${id} has the same content as the current version ${item.version}.`, { id, toVersion });
      await tx.run('review/mark-rollback-version', { id, version: item.version + 1, reason: `rollback to version ${toVersion}` });
      await this.audit.append(tx, viewer, {
        action: 'knowledge.rollback',
        targetType: 'Knowledge',
        targetId: id,
        before: { version: item.version, status: item.status },
        after: { version: item.version + 1, contentOfVersion: toVersion, status: item.status },
      });
      return true;
    });
    if (changed) await this.knowledge.notify(id, 'rollback', viewer.keyId);
  }

  async get(ids: readonly string[]): Promise<Array<ReleaseRow | null>> {
    const rows = await this.executor.read('review/get-releases', { ids });
    const map = new Map(rows.map((r) => [r.release.id, r.release]));
    return ids.map((id) => map.get(id) ?? null);
  }

  async list(page: { skip: number; limit: number }): Promise<{ total: number; items: ReleaseRow[] }> {
    const [row] = await this.executor.read('review/list-releases', page);
    const ids = row?.ids ?? [];
    return { total: row?.total ?? 0, items: (await this.get(ids)).filter((r): r is ReleaseRow => r !== null) };
  }

  async setStatus(tx: Tx, id: string, status: KnowledgeStatus, from: KnowledgeStatus[], change: string, by: string | null, reason: string | null): Promise<void> {
    const [row] = await tx.run('knowledge/set-status', { id, status, from, change, by, reason });
    if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`, { id });
    if (!row.allowed) throw new AppError('CONFLICT', `Cannot move ${id} from ${row.previous} to ${status}.`, { status: row.previous });
  }
}
