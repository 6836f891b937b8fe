import { createHash, randomUUID } from 'node:crypto';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { canonicalJson } from './knowledge.content.js';
import type { Access } from './knowledge.repository.js';

export interface IntentInput {
  externalId?: string | null;
  name: string;
  language: string;
  examples: string[];
  /** Knowledge items (by externalId) that answer this intent, per language (`mul` = any). */
  handlers: Array<{ externalId: string; language: string }>;
}

export interface IntentRow {
  id: string;
  name: string;
  externalId: string | null;
  language: string;
  examples: string[];
  handlers: Array<{ knowledgeId: string; language: string; kind: string }>;
}

export class IntentRepository {
  constructor(private readonly executor: CypherExecutor) {}

  async list(page: { skip: number; limit: number }, access: Access): Promise<{ total: number; items: IntentRow[] }> {
    const [row] = await this.executor.read('intents/list', { ...page, ...access });
    return { total: row?.total ?? 0, items: row?.items ?? [] };
  }

  /** Every intent's examples: the training data of the tenant's intent classifier. */
  async allExamples(): Promise<Array<{ name: string; examples: string[] }>> {
    return this.executor.read('intents/all-examples');
  }

  async upsertInTx(tx: Tx, intents: IntentInput[], by: string | null): Promise<{ created: number; updated: number; unchanged: number }> {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    const rows = intents.map((i) => ({
      id: randomUUID(),
      name: i.name,
      externalId: i.externalId ?? null,
      language: i.language,
      examples: i.examples,
      handlers: i.handlers,
      contentHash: createHash('sha256').update(canonicalJson({ ...i, id: undefined })).digest('hex'),
    }));
    if (rows.length > 0) {
      const existing = new Map((await tx.run('intents/existing', { names: rows.map((r) => r.name) })).map((r) => [String(r.name), String(r.contentHash)]));
      const changed = rows.filter((r) => {
        const hash = existing.get(r.name);
        if (hash === undefined) counts.created++;
        else if (hash !== r.contentHash) counts.updated++;
        else counts.unchanged++;
        return hash !== r.contentHash;
      });
      for (let i = 0; i < changed.length; i += 1000) await tx.run('intents/upsert', { rows: changed.slice(i, i + 1000), by });
    }
    return counts;
  }

  /** Processes that name an intent become its handler in their language (unless one is set). */
  async linkProcessesInTx(tx: Tx, names: string[]): Promise<void> {
    if (names.length > 0) await tx.run('intents/link-processes', { names });
  }
}
