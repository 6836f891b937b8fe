import type { KnowledgeStatus, Visibility } from '../auth/roles.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';

/** The knowledge kinds; each has a spec in the kind registry (`kinds/index.ts`), which will not compile without it. */
export const knowledgeKinds = ['fact', 'rule', 'process'] as const;
export type KnowledgeKind = (typeof knowledgeKinds)[number];

/** Who may see what: always passed down, so no query can forget it. */
export interface Access {
  visibilities: Visibility[];
  statuses: KnowledgeStatus[];
}

/** A knowledge item as stored. Rule conditions and process steps are JSON strings in the graph. */
export interface KnowledgeRow {
  id: string;
  externalId: string | null;
  kind: KnowledgeKind;
  status: KnowledgeStatus;
  visibility: Visibility;
  version: number;
  language: string;
  contentHash: string;
  qualityScore: number | null;
  tags: string[] | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
  name?: string | null;
  when?: string | null;
  then?: string | null;
  otherwise?: string | null;
  steps?: string | null;
  intent?: string | null;
}

export interface EntityRow {
  id: string;
  externalId: string | null;
  key: string;
  name: string;
  type: string;
  aliases: string[];
}

export interface SourceRow {
  documentId: string;
  documentTitle: string;
  chunkId: string;
  start: number;
  end: number;
  quote: string;
}

export interface VersionRow {
  id: string;
  version: number;
  change: string;
  changedFields: string[] | null;
  status: KnowledgeStatus;
  previousStatus?: KnowledgeStatus | null;
  reason?: string | null;
  by: string | null;
  at: string;
  snapshot?: string | null;
}

export interface KnowledgeListFilter {
  kind?: KnowledgeKind | null;
  status?: KnowledgeStatus | null;
  visibility?: Visibility | null;
  entityId?: string | null;
  language?: string | null;
  text?: string | null;
}

/** A row for `knowledge/upsert`: new or changed content only. */
export interface UpsertRow {
  id: string;
  externalId: string | null;
  kind: KnowledgeKind;
  props: Record<string, string | number | string[] | null>;
  contentHash: string;
  status: KnowledgeStatus;
  change: 'create' | 'update';
  changedFields: string[];
  snapshot: string;
}

const BATCH = 1000;

/** Lucene query syntax is escaped so user text is searched, never interpreted. */
export function escapeLucene(text: string): string {
  return text.replace(/[+\-&|!(){}[\]^"~*?:\\/]/g, '\\$&').trim();
}

/** Groups rows `{id, <field>: T[]}` by id, in key order, for DataLoaders. */
function byId<F extends string, T>(ids: readonly string[], rows: ReadonlyArray<{ id: string } & Record<F, T[]>>, field: F): T[][] {
  const map = new Map(rows.map((r) => [r.id, r[field]]));
  return ids.map((id) => map.get(id) ?? []);
}

/** An item an import or save matches, as it is before the write. */
export interface ExistingItem {
  id: string;
  contentHash: string;
  status: KnowledgeStatus;
  kind: KnowledgeKind;
  visibility: Visibility;
}

export class KnowledgeRepository {
  constructor(private readonly executor: CypherExecutor) {}

  async getByIds(ids: readonly string[], access: Access): Promise<Array<KnowledgeRow | null>> {
    const rows = await this.executor.read('knowledge/get-by-ids', { ids, ...access });
    const map = new Map(rows.map((r) => [r.item.id, r.item]));
    return ids.map((id) => map.get(id) ?? null);
  }

  async list(filter: KnowledgeListFilter, page: { skip: number; limit: number }, access: Access): Promise<{ total: number; items: KnowledgeRow[] }> {
    const text = filter.text ? escapeLucene(filter.text) : '';
    const params = {
      ...access,
      kind: filter.kind ?? null,
      status: filter.status ?? null,
      visibility: filter.visibility ?? null,
      entityId: filter.entityId ?? null,
      language: filter.language ?? null,
      skip: page.skip,
      limit: page.limit,
    };
    const [row] = text ? await this.executor.read('knowledge/list-text', { ...params, text }) : await this.executor.read('knowledge/list', params);
    return { total: row?.total ?? 0, items: row?.items ?? [] };
  }

  async entitiesOf(ids: readonly string[]): Promise<EntityRow[][]> {
    return byId(ids, await this.executor.read('knowledge/entities-of', { ids }), 'entities');
  }

  /** Provenance of each item, from the documents `access` may see. */
  async sourcesOf(ids: readonly string[], access: { visibilities: readonly string[] }): Promise<SourceRow[][]> {
    return byId(ids, await this.executor.read('knowledge/sources-of', { ids, visibilities: access.visibilities }), 'sources');
  }

  async historyOf(ids: readonly string[]): Promise<VersionRow[][]> {
    return byId(ids, await this.executor.read('knowledge/history-of', { ids }), 'versions');
  }

  async existingByExternalIds(tx: Tx, externalIds: string[]): Promise<Map<string, ExistingItem>> {
    const out = new Map<string, ExistingItem>();
    for (let i = 0; i < externalIds.length; i += BATCH) {
      const rows = await tx.run('knowledge/existing-by-external-ids', { externalIds: externalIds.slice(i, i + BATCH) });
      for (const { externalId, ...existing } of rows) out.set(externalId, existing);
    }
    return out;
  }

  /** Writes new/changed items and their ABOUT links inside the caller's transaction, 1,000 rows a statement. */
  async upsert(tx: Tx, rows: UpsertRow[], about: Array<{ id: string; entityIds: string[] }>, by: string | null): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      await tx.run('knowledge/upsert', { rows: rows.slice(i, i + BATCH), by });
    }
    for (let i = 0; i < about.length; i += BATCH) {
      await tx.run('knowledge/set-about', { rows: about.slice(i, i + BATCH) });
    }
  }

  async setStatus(input: { id: string; status: KnowledgeStatus; from: KnowledgeStatus[]; change: string; by: string | null; reason: string | null }) {
    const [row] = await this.executor.write('knowledge/set-status', input);
    return row ?? null;
  }

  async link(tx: Tx, input: { id: string; entityId: string; link: boolean; by: string | null }) {
    const [row] = await tx.run('knowledge/link-entity', input);
    return row ?? null;
  }

  async exportAll(access: Access, kind: KnowledgeKind | null): Promise<Array<{ item: KnowledgeRow; entities: string[] }>> {
    return this.executor.read('knowledge/export', { ...access, kind });
  }
}
