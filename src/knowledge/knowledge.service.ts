import { randomUUID } from 'node:crypto';
import type { KnowledgeStatus } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import type { PubSub } from '../infra/pubsub.js';
import { EntityRepository, entityKey, type EntityInput } from './entity.repository.js';
import { IntentRepository } from './intent.repository.js';
import { changedFields, contentHash, fromRow, toProps, type KnowledgeContent } from './knowledge.content.js';
import { KnowledgeRepository, type Access, type KnowledgeRow, type UpsertRow } from './knowledge.repository.js';
import { kinds } from './kinds/index.js';

export type SaveOutcome = 'created' | 'updated' | 'unchanged';

/** One item of a save: its id, what happened, and (an existing item) its status and visibility before. */
export interface SavedItem {
  id: string;
  outcome: SaveOutcome;
  before: { status: KnowledgeStatus; visibility: KnowledgeContent['visibility'] } | null;
}

/** What an update changed (for the caller's audit event). */
export interface ItemUpdate {
  id: string;
  status: KnowledgeStatus;
  fromVersion: number;
  toVersion: number;
  fields: string[];
  visibility: { before: KnowledgeContent['visibility']; after: KnowledgeContent['visibility'] };
}

export interface KnowledgeEvent {
  id: string;
  change: string;
  status: KnowledgeStatus;
  version: number;
  by: string | null;
}

export const KNOWLEDGE_TOPIC = 'knowledge';

/** Status moves: target ← the statuses it may come from. */
export const transitions: Record<'submit' | 'publish' | 'reject' | 'archive' | 'restore', { to: KnowledgeStatus; from: KnowledgeStatus[] }> = {
  submit: { to: 'IN_REVIEW', from: ['DRAFT', 'REJECTED'] },
  publish: { to: 'PUBLISHED', from: ['DRAFT', 'IN_REVIEW', 'ARCHIVED'] },
  reject: { to: 'REJECTED', from: ['DRAFT', 'IN_REVIEW'] },
  archive: { to: 'ARCHIVED', from: ['DRAFT', 'IN_REVIEW', 'PUBLISHED', 'REJECTED'] },
  restore: { to: 'DRAFT', from: ['ARCHIVED', 'REJECTED'] },
};
export type Transition = keyof typeof transitions;

/**
 * Validates a knowledge item's content by its kind (`KindSpec.problems`: rule conditions against the
 * condition grammar, process steps against the flow checks). Returns problems as sentences; empty means valid.
 */
export function contentProblems(c: KnowledgeContent): string[] {
  return kinds[c.kind].problems(c);
}

export class KnowledgeService {
  readonly repo: KnowledgeRepository;
  readonly entities: EntityRepository;
  readonly intents: IntentRepository;

  constructor(
    private readonly executor: CypherExecutor,
    private readonly pubsub: PubSub,
  ) {
    this.repo = new KnowledgeRepository(executor);
    this.entities = new EntityRepository(executor);
    this.intents = new IntentRepository(executor);
  }

  /**
   * Saves items (new or changed) and entities in the caller's transaction. Items are matched by
   * `externalId` when they have one, else by `id` (updates). Unchanged content writes nothing.
   */
  async saveInTx(
    tx: Tx,
    input: { items: Array<{ id?: string; content: KnowledgeContent }>; entities?: EntityInput[]; status: KnowledgeStatus; keepStatus?: boolean; by: string | null },
  ): Promise<{ outcomes: SavedItem[]; entities: { created: number; updated: number; unchanged: number } }> {
    const entityResult = await this.entities.upsertInTx(tx, input.entities ?? [], input.by);

    // Resolve every entity name the items mention; unknown names become Concept entities.
    const names = [...new Set(input.items.flatMap((i) => i.content.entities))];
    const resolved = await this.entities.resolveNamesInTx(tx, names, input.by);

    const externalIds = input.items.map((i) => i.content.externalId).filter((x): x is string => !!x);
    const existingByExt = await this.repo.existingByExternalIds(tx, externalIds);
    const existingById = new Map<string, { row: KnowledgeRow; entities: string[] }>();
    const idsToLoad = input.items.map((i) => i.id).filter((x): x is string => !!x);
    if (idsToLoad.length > 0) {
      const rows = await tx.run('knowledge/export-by-ids', { ids: idsToLoad });
      for (const r of rows) existingById.set(r.item.id, { row: r.item, entities: r.entities });
    }

    const upserts: UpsertRow[] = [];
    const about: Array<{ id: string; entityIds: string[] }> = [];
    const outcomes: SavedItem[] = [];
    for (const { id: givenId, content: given } of input.items) {
      // Entities are part of the content by what they resolve to, so an alias and the canonical
      // name are the same content (and export → import is unchanged).
      const entityNames = [...new Set(given.entities.map((n) => resolved.get(entityKey(n))!.name))];
      const content: KnowledgeContent = { ...given, entities: entityNames };
      const hash = contentHash(content);
      const byExt = content.externalId ? existingByExt.get(content.externalId) : undefined;
      const byId = givenId ? existingById.get(givenId) : undefined;
      if (givenId && !byId) throw new AppError('NOT_FOUND', `Knowledge item ${givenId} does not exist.`);
      const current = byId ? { id: byId.row.id, contentHash: byId.row.contentHash, status: byId.row.status, kind: byId.row.kind, visibility: byId.row.visibility } : byExt;
      const prior = current ? { status: current.status, visibility: current.visibility } : null;
      if (current && current.kind !== content.kind) {
        throw new AppError('VALIDATION_FAILED', `${content.externalId ?? current.id} is a ${current.kind}; it cannot become a ${content.kind}.`);
      }
      if (current && current.contentHash === hash && (input.keepStatus || current.status === input.status)) {
        outcomes.push({ id: current.id, outcome: 'unchanged', before: prior });
        continue;
      }
      const id = current?.id ?? randomUUID();
      const before = byId ? fromRow(byId.row, byId.entities) : null;
      upserts.push({
        id,
        externalId: content.externalId ?? byId?.row.externalId ?? null,
        kind: content.kind,
        props: toProps(content),
        contentHash: hash,
        status: input.keepStatus && current ? current.status : input.status,
        change: current ? 'update' : 'create',
        changedFields: current && current.contentHash === hash ? ['status'] : changedFields(before, content),
        snapshot: JSON.stringify(content),
      });
      about.push({ id, entityIds: [...new Set(given.entities.map((n) => resolved.get(entityKey(n))!.id))] });
      outcomes.push({ id, outcome: current ? 'updated' : 'created', before: prior });
    }
    await this.repo.upsert(tx, upserts, about, input.by);
    return { outcomes, entities: entityResult };
  }

  /**
   * `inTx`: more writes in the item's transaction (the caller's audit event: knowledge does not know the
   * audit trail), given the item's id.
   */
  async create(content: KnowledgeContent, opts: { status: KnowledgeStatus; by: string | null; inTx?: (tx: Tx, id: string) => Promise<unknown> }): Promise<string> {
    this.assertValid(content);
    const { outcomes } = await this.executor.writeTx('knowledge/create', async (tx) => {
      const saved = await this.saveInTx(tx, { items: [{ content }], status: opts.status, by: opts.by });
      await opts.inTx?.(tx, saved.outcomes[0]!.id);
      return saved;
    });
    const id = outcomes[0]!.id;
    await this.notify(id, outcomes[0]!.outcome === 'created' ? 'create' : 'update', opts.by);
    return id;
  }

  /**
   * A new version with the merged content; status is kept (published stays published). `check` sees the
   * item as it is (read in the transaction) and the content it would get, before anything is written
   * (policy: throw to refuse); `inTx` runs after the write, in the same transaction, when something changed.
   */
  async update(
    id: string,
    patch: (current: KnowledgeContent) => KnowledgeContent,
    by: string | null,
    hooks: { check?: (item: KnowledgeRow, next: KnowledgeContent) => void; inTx?: (tx: Tx, change: ItemUpdate) => Promise<unknown> } = {},
  ): Promise<SaveOutcome> {
    const outcome = await this.executor.writeTx('knowledge/update', async (tx) => {
      const [row] = await tx.run('knowledge/export-by-ids', { ids: [id] });
      if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
      const current = fromRow(row.item, row.entities);
      const next = patch(current);
      this.assertValid(next);
      hooks.check?.(row.item, next);
      const { outcomes } = await this.saveInTx(tx, { items: [{ id, content: next }], status: row.item.status, keepStatus: true, by });
      const result = outcomes[0]!.outcome;
      if (result !== 'unchanged') {
        await hooks.inTx?.(tx, { id, status: row.item.status, fromVersion: row.item.version, toVersion: row.item.version + 1, fields: changedFields(current, next), visibility: { before: current.visibility, after: next.visibility } });
      }
      return result;
    });
    if (outcome !== 'unchanged') await this.notify(id, 'update', by);
    return outcome;
  }

  async transition(id: string, move: Transition, by: string | null, reason: string | null = null): Promise<KnowledgeRow> {
    const t = transitions[move];
    const r = await this.repo.setStatus({ id, status: t.to, from: t.from, change: move, by, reason });
    if (!r) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
    if (!r.allowed) {
      throw new AppError('CONFLICT', `Cannot ${move} an item that is ${r.previous}; allowed from ${t.from.join(', ')}.`, { status: r.previous });
    }
    await this.notify(id, move, by);
    return r.item;
  }

  /** `inTx`: more writes in the link's transaction (the caller's audit event), once it was made. */
  async link(id: string, entityId: string, link: boolean, by: string | null, inTx?: (tx: Tx, item: KnowledgeRow) => Promise<unknown>): Promise<KnowledgeRow> {
    const r = await this.executor.writeTx('knowledge/link', async (tx) => {
      const row = await this.repo.link(tx, { id, entityId, link, by });
      if (!row) throw new AppError('NOT_FOUND', `Knowledge item ${id} does not exist.`);
      if (!row.entityFound) throw new AppError('NOT_FOUND', `Entity ${entityId} does not exist.`);
      await inTx?.(tx, row.item);
      return row;
    });
    await this.notify(id, link ? 'link' : 'unlink', by);
    return r.item;
  }

  async get(id: string, access: Access): Promise<KnowledgeRow | null> {
    return (await this.repo.getByIds([id], access))[0] ?? null;
  }

  private assertValid(content: KnowledgeContent) {
    const problems = contentProblems(content);
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid ${content.kind}: ${problems.join('; ')}`, { problems });
  }

  /** One event for a whole import (subscribers refetch), rather than one per row. */
  async notifyImport(by: string | null): Promise<void> {
    await this.pubsub.publish(KNOWLEDGE_TOPIC, { id: 'import', change: 'import', status: 'DRAFT', version: 0, by } satisfies KnowledgeEvent);
  }

  async notify(id: string, change: string, by: string | null): Promise<void> {
    const [row] = await this.repo.getByIds([id], { visibilities: ['PUBLIC', 'INTERNAL', 'RESTRICTED'], statuses: ['DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED', 'REJECTED'] });
    if (!row) return;
    const event: KnowledgeEvent = { id, change, status: row.status, version: row.version, by };
    await this.pubsub.publish(KNOWLEDGE_TOPIC, event);
  }
}

export type { EntityInput };
