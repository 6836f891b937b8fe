import { fourEyesRefusal, liveRestrictedRefusal, mayWriteVisibility, writeVisibilityRefusal } from '../auth/policies.js';
import type { KnowledgeStatus } from '../auth/roles.js';
import { AppError } from '../errors.js';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { entityTypes, type EntityInput, type EntityType } from './entity.repository.js';
import { exportRecords, parseKnowledgeImport, type ImportFormat, type ImportedRecord, type KnowledgeRecord } from './import/index.js';
import type { IntentInput } from './intent.repository.js';
import { fromRow, kinds, type KnowledgeContent, type KnowledgeItemRecord } from './kinds/index.js';
import type { Access, KnowledgeKind, KnowledgeRow } from './knowledge.repository.js';
import type { KnowledgeService } from './knowledge.service.js';
import { cleanQuestions } from '../learning/similar-questions.js';

export interface ImportRowError {
  line: number;
  message: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
}

/** What an import made live, for the caller's audit event (written in the import's transaction). */
export interface ImportLiveChanges {
  /** Items published by `publish` (created or changed). */
  published: string[];
  /** Live items whose content a re-import without `publish` changed (they stay live). */
  liveUpdated: string[];
}

/** Raised inside the import transaction to roll it back with row errors. */
class ImportRejected extends Error {
  constructor(readonly errors: ImportRowError[]) {
    super('import rejected');
  }
}

function toContent(r: KnowledgeItemRecord): KnowledgeContent {
  return kinds[r.type].toContent(r, { externalId: r.externalId, language: r.language, visibility: r.visibility, entities: r.entities, tags: r.tags });
}

/**
 * `importKnowledge`: parse and validate every row first (line-numbered errors), then write the
 * whole call in one transaction — all of it or nothing. Idempotent by `externalId`: same content is
 * `unchanged`, new content is `updated` (a new version).
 */
export async function importKnowledge(
  service: KnowledgeService,
  executor: CypherExecutor,
  /**
   * `mayPublishRestricted`: whether the caller may publish RESTRICTED records without review (ADMIN and
   * in-process bootstraps; `mayPublishDirectly`): without it, `publish` with such a record is a line error.
   */
  input: {
    format: ImportFormat;
    data: string;
    publish: boolean;
    by: string | null;
    access: Access;
    mayPublishRestricted: boolean;
    /** More writes in the import's transaction when it made something live (the caller's audit event). */
    inTx?: (tx: Tx, changes: ImportLiveChanges) => Promise<unknown>;
  },
): Promise<ImportResult> {
  const empty = { created: 0, updated: 0, unchanged: 0 };
  const parsed = parseKnowledgeImport(input.data, input.format);
  const errors: ImportRowError[] = parsed.errors.map((e) => ({ line: e.line, message: e.message }));
  const items: ImportedRecord[] = [];
  const entities: EntityInput[] = [];
  const intents: Array<IntentInput & { line: number }> = [];
  for (const imported of parsed.records) {
    const { record, line } = imported;
    if (record.type === 'document') {
      errors.push({ line, message: `line ${line}: documents are loaded with ingestDocument, which extracts knowledge from them` });
    } else if (record.type === 'entity') {
      if (!entityTypes.includes(record.entityType as EntityType)) {
        errors.push({ line, message: `line ${line}: entity "entityType": "${record.entityType}" is not one of ${entityTypes.join(', ')}` });
      } else {
        entities.push({ externalId: record.externalId, name: record.name, type: record.entityType as EntityType, aliases: record.aliases });
      }
    } else if (record.type === 'intent') {
      intents.push({ line, externalId: record.externalId, name: record.name, language: record.language, examples: record.examples, handlers: record.handlers ?? [] });
    } else {
      if (!mayWriteVisibility(input.access, record.visibility)) {
        errors.push({ line, message: `line ${line}: ${writeVisibilityRefusal(record.visibility)}` });
      } else if (input.publish && record.visibility === 'RESTRICTED' && !input.mayPublishRestricted) {
        errors.push({ line, message: `line ${line}: ${fourEyesRefusal}` });
      }
      items.push(imported);
    }
  }
  if (errors.length > 0) return { ...empty, errors: errors.sort((a, b) => a.line - b.line) };

  const status: KnowledgeStatus = input.publish ? 'PUBLISHED' : 'DRAFT';
  try {
    return await executor.writeTx('knowledge/import', async (tx) => {
      const saved = await service.saveInTx(tx, {
        items: items.map((i) => ({ content: toContent(i.record as KnowledgeItemRecord) })),
        entities,
        status,
        // Without `publish`, existing items keep their status (a re-import never unpublishes).
        keepStatus: !input.publish,
        by: input.by,
      });
      // The items matched are checked as they were: a key never overwrites knowledge it may not write, and
      // changing a live item is publishing it (live RESTRICTED knowledge changes through a reviewed revision).
      const refused = saved.outcomes.flatMap((o, i) => {
        const line = items[i]!.line;
        if (!o.before) return [];
        if (!mayWriteVisibility(input.access, o.before.visibility)) return [{ line, message: `line ${line}: ${writeVisibilityRefusal(o.before.visibility)}` }];
        const restricted = o.before.visibility === 'RESTRICTED' || (items[i]!.record as KnowledgeItemRecord).visibility === 'RESTRICTED';
        if (o.outcome === 'updated' && o.before.status === 'PUBLISHED' && restricted && !input.mayPublishRestricted) return [{ line, message: `line ${line}: ${liveRestrictedRefusal}` }];
        return [];
      });
      if (refused.length > 0) throw new ImportRejected(refused);
      const written = saved.outcomes.filter((o) => o.outcome !== 'unchanged');
      const live: ImportLiveChanges = {
        published: input.publish ? written.map((o) => o.id) : [],
        liveUpdated: input.publish ? [] : written.filter((o) => o.before?.status === 'PUBLISHED').map((o) => o.id),
      };
      if (live.published.length + live.liveUpdated.length > 0) await input.inTx?.(tx, live);
      // Similar questions of facts: embedded after the import by src/learning (matched by words meanwhile).
      const questionRows = items.flatMap((i) =>
        i.record.type === 'fact' && i.record.questions !== undefined
          ? [{ externalId: i.record.externalId, questions: i.record.questions.length > 0 ? cleanQuestions(i.record.questions) : [] }]
          : [],
      );
      if (questionRows.length > 0) await tx.run('learning/set-import-questions', { rows: questionRows, by: input.by });
      // Intent handlers must name knowledge that exists (in this file or already in the graph).
      const wanted = [...new Set(intents.flatMap((i) => i.handlers.map((h) => h.externalId)))];
      const found = await service.repo.existingByExternalIds(tx, wanted);
      const missing = intents.flatMap((i) =>
        i.handlers.filter((h) => !found.has(h.externalId)).map((h) => ({ line: i.line, message: `line ${i.line}: intent "${i.name}" handler "${h.externalId}" is not a known fact, rule or process` })),
      );
      if (missing.length > 0) throw new ImportRejected(missing);
      const intentCounts = await service.intents.upsertInTx(tx, intents, input.by);
      await service.intents.linkProcessesInTx(tx, [...new Set([...intents.map((i) => i.name), ...items.flatMap((i) => (i.record.type === 'process' && i.record.intent ? [i.record.intent] : []))])]);
      const count = (o: string) => saved.outcomes.filter((x) => x.outcome === o).length;
      return {
        created: count('created') + saved.entities.created + intentCounts.created,
        updated: count('updated') + saved.entities.updated + intentCounts.updated,
        unchanged: count('unchanged') + saved.entities.unchanged + intentCounts.unchanged,
        errors: [],
      };
    });
  } catch (err) {
    if (err instanceof ImportRejected) return { ...empty, errors: err.errors };
    throw err;
  }
}

function toRecord(item: KnowledgeRow, entities: string[]): KnowledgeRecord {
  const common = {
    externalId: item.externalId ?? item.id,
    language: item.language as 'en',
    visibility: item.visibility,
    entities: [...entities].sort(),
    tags: item.tags ?? [],
  };
  // Stored JSON that does not parse is a StoredContentError (the export fails loudly, never exports null).
  return { type: item.kind, ...common, ...kinds[item.kind].toRecord(fromRow(item, entities)) } as KnowledgeRecord;
}

/** Everything the caller may see, in the import format; importing it back is all `unchanged`. */
export async function exportKnowledge(service: KnowledgeService, input: { format: ImportFormat; kind: KnowledgeKind | null; access: Access }): Promise<string> {
  const rows = await service.repo.exportAll(input.access, input.kind);
  if (rows.length > 100_000) throw new AppError('PAYLOAD_TOO_LARGE', 'More than 100,000 items: export by kind.');
  return exportRecords(rows.map((r) => toRecord(r.item, r.entities)), input.format);
}
