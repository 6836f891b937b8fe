import { createHash, randomUUID } from 'node:crypto';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { canonicalJson } from './knowledge.content.js';
import { escapeLucene, type Access, type EntityRow, type KnowledgeRow } from './knowledge.repository.js';

/** The controlled vocabulary of entity types. Labels and types never come from free text. */
export const entityTypes = ['Product', 'Service', 'Policy', 'Plan', 'Organization', 'Location', 'Channel', 'Document', 'Concept', 'Person', 'Event'] as const;
export type EntityType = (typeof entityTypes)[number];

export interface EntityInput {
  externalId?: string | null;
  name: string;
  type: EntityType;
  aliases: string[];
}

/** Normalised name: NFKC (full-width → ASCII), case-folded, single spaces. Entities are unique by it. */
export function entityKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export interface GraphNeighbourhood {
  nodes: Array<{ id: string; label: string; name: string; type: string }>;
  edges: Array<{ from: string; to: string; type: string; confidence: number | null }>;
}

export class EntityRepository {
  constructor(private readonly executor: CypherExecutor) {}

  async getByIds(ids: readonly string[]): Promise<Array<EntityRow | null>> {
    const rows = await this.executor.read('entities/get-by-ids', { ids });
    const map = new Map(rows.map((r) => [r.entity.id, r.entity]));
    return ids.map((id) => map.get(id) ?? null);
  }

  /** Visible knowledge ABOUT each entity (at most `per` each), in key order, for DataLoaders. */
  async knowledgeOf(ids: readonly string[], per: number, access: Access): Promise<KnowledgeRow[][]> {
    const rows = await this.executor.read('entities/knowledge-of', { ids, per, ...access });
    const map = new Map(rows.map((r) => [r.id, r.items]));
    return ids.map((id) => map.get(id) ?? []);
  }

  async search(filter: { text?: string | null; type?: string | null }, page: { skip: number; limit: number }): Promise<{ total: number; items: EntityRow[] }> {
    const text = filter.text ? escapeLucene(filter.text) : null;
    const [row] = await this.executor.read('entities/search', { text: text || null, type: filter.type ?? null, ...page });
    return { total: row?.total ?? 0, items: row?.items ?? [] };
  }

  async neighbourhood(id: string, depth: 1 | 2, limit: number, access: Access): Promise<GraphNeighbourhood | null> {
    const [row] = await this.executor.read('entities/neighbourhood', { id, depth, limit, ...access });
    return row ?? null;
  }

  /** Upserts entity records (import), keyed by normalised name. */
  async upsertInTx(tx: Tx, entities: EntityInput[], by: string | null): Promise<{ created: number; updated: number; unchanged: number }> {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    if (entities.length === 0) return counts;
    const rows = entities.map((e) => {
      const aliases = [...new Set(e.aliases.map((a) => a.trim()).filter(Boolean))];
      return {
        id: randomUUID(),
        key: entityKey(e.name),
        externalId: e.externalId ?? null,
        name: e.name.trim(),
        type: e.type,
        aliases,
        aliasKeys: aliases.map(entityKey),
        aliasText: aliases.join(' \u2022 '),
        contentHash: createHash('sha256').update(canonicalJson({ name: e.name.trim(), type: e.type, aliases: [...aliases].sort(), externalId: e.externalId ?? null })).digest('hex'),
      };
    });
    const existing = new Map((await tx.run('entities/existing-by-keys', { keys: rows.map((r) => r.key) })).map((r) => [String(r.key), String(r.contentHash)]));
    const changed = rows.filter((r) => {
      const hash = existing.get(r.key);
      if (hash === undefined) counts.created++;
      else if (hash !== r.contentHash) counts.updated++;
      else counts.unchanged++;
      return hash !== r.contentHash;
    });
    for (let i = 0; i < changed.length; i += 1000) await tx.run('entities/upsert', { rows: changed.slice(i, i + 1000), by });
    return counts;
  }

  /**
   * Maps names (or aliases) to entities, by normalised key; names that match nothing become
   * Concept entities. Returns key → {id, canonical name}.
   */
  async resolveNamesInTx(tx: Tx, names: string[], by: string | null): Promise<Map<string, { id: string; name: string }>> {
    const keys = [...new Set(names.map(entityKey))];
    const out = new Map<string, { id: string; name: string }>();
    if (keys.length === 0) return out;
    const found = (r: Record<string, unknown>) => ({ id: String(r.id), name: String(r.name) });
    for (const r of await tx.run('entities/resolve-keys', { keys })) if (!out.has(String(r.key))) out.set(String(r.key), found(r));
    const missing = keys.filter((k) => !out.has(k));
    if (missing.length > 0) {
      const nameOf = new Map(names.map((n) => [entityKey(n), n.trim()]));
      const rows = missing.map((key) => ({ id: randomUUID(), key, name: nameOf.get(key)! }));
      for (const r of await tx.run('entities/create-concepts', { rows, by })) out.set(String(r.key), found(r));
    }
    return out;
  }
}
