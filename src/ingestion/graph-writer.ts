import { createHash, randomUUID } from 'node:crypto';
import type { CypherExecutor, Tx } from '../graph/executor.js';
import { entityTypes } from '../knowledge/entity.repository.js';
import { contentHash } from '../knowledge/knowledge.content.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { spanByChunk } from './chunk.js';
import type { DraftData, IngestionCounts, MergeSuggestion, NewEntity, PreparedDocument, RelationData, ResolvedMention } from './ingestion.types.js';
import { relationTypes } from './ingestion.types.js';
import { decodeVector } from './model.stages.js';
import { stage } from './stage.js';

/** Rows per UNWIND statement (neo4j-graphrag's writer uses the same). */
export const WRITE_BATCH = 1000;

export interface WriteInput {
  doc: PreparedDocument;
  chunkEmbeddings: Array<string | null>;
  draftEmbeddings: Array<string | null>;
  /** The model the draft vectors come from (stored with them); null when there are none. */
  embeddingModel: string | null;
  /** The model of the chunk vectors. */
  chunkEmbeddingModel: string | null;
  mentions: ResolvedMention[];
  newEntities: NewEntity[];
  suggestions: MergeSuggestion[];
  drafts: DraftData[];
  relations: RelationData[];
}

export interface WriteResult {
  documentId: string;
  version: number;
  /** The version was already in the graph (a re-run after a crash, or a race): nothing written. */
  alreadyWritten: boolean;
  /** Ingestion job that wrote the version (differs from this job's when another job wrote it). */
  writtenBy: string;
  counts: Partial<IngestionCounts>;
  /** Nodes created by this write (benchmark figure). */
  nodes: number;
  draftIds: string[];
}

const taskId = (...parts: string[]) => `rt-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32)}`;
const chunkId = (documentId: string, index: number) => `${documentId}-c${index}`;
/** Stable per document version, so a re-run finds its drafts instead of duplicating them. */
const draftExternalId = (documentId: string, ref: string) => `ing-${createHash('sha256').update(documentId).digest('hex').slice(0, 16)}-${ref}`;

async function batched<T>(tx: Tx, name: string, rows: T[], params: Record<string, unknown> = {}): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    const result = await tx.run(name, { ...params, rows: rows.slice(i, i + WRITE_BATCH) });
    n += Number(Object.values(result[0] ?? {})[0] ?? 0);
  }
  return n;
}

/**
 * Writes one document version in ONE transaction — everything or nothing, so a failed or killed
 * job leaves no partial document — and makes it idempotent: a version already in the graph is
 * recognised (its id is derived from source and content hash) and not written twice.
 *
 * Order inside the transaction: lock the source and (sorted) the entities it touches → new entities → document and chunks → mentions →
 * relations → supersede the previous version (drop its unreviewed drafts, re-point or flag what
 * survives, prune) → drafts (through `KnowledgeService.saveInTx`, so versions and hashes are the
 * knowledge API's) → provenance → embeddings → review tasks.
 */
export class GraphWriter {
  constructor(
    private readonly executor: CypherExecutor,
    private readonly knowledge: KnowledgeService,
    /** draftVectorsInGraph: false with an external vector store (see PipelineOptions). */
    private readonly options: { draftVectorsInGraph: boolean } = { draftVectorsInGraph: true },
  ) {}

  stage() {
    return stage('write', (input: WriteInput, ctx) => this.write(input, (f) => ctx.progress(f)));
  }

  async write(input: WriteInput, progress: (fraction: number) => void = () => undefined): Promise<WriteResult> {
    return this.executor.writeTx('ingestion/write-document', async (tx) => {
      const [lock] = await tx.run('ingestion/lock-source', { source: input.doc.source, documentId: input.doc.documentId });
      if (lock?.currentId && lock.currentHash === input.doc.contentHash) {
        const stats = lock.currentStats ? (JSON.parse(String(lock.currentStats)) as WriteResult) : null;
        return {
          documentId: String(lock.currentId),
          version: Number(lock.currentVersion),
          alreadyWritten: true,
          writtenBy: String(lock.currentJobId ?? ''),
          counts: stats?.counts ?? {},
          nodes: 0,
          draftIds: stats?.draftIds ?? [],
        };
      }
      // Content that comes back after another version was current is a new version with its own id.
      const doc = lock?.idTaken ? { ...input.doc, documentId: `${input.doc.documentId}-v${Number(lock.currentVersion) + 1}` } : input.doc;
      let nodes = 0;
      const by = doc.by;
      // Lock order: source (above), then every entity this version touches, sorted by key.
      const keys = [...new Set([...input.mentions.map((m) => m.key), ...input.relations.flatMap((r) => [r.headKey, r.tailKey]), ...input.newEntities.map((e) => e.key)])].sort();
      await tx.run('ingestion/lock-entities', { keys });

      // Entities the document introduced.
      const entityRows = input.newEntities
        .filter((e) => (entityTypes as readonly string[]).includes(e.type))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((e) => ({ id: randomUUID(), key: e.key, name: e.name, type: e.type, embedding: e.embedding ? decodeVector(e.embedding) : null }));
      const upserted: Array<{ key: string; id: string; created: boolean }> = [];
      for (let i = 0; i < entityRows.length; i += WRITE_BATCH) {
        for (const r of await tx.run('ingestion/upsert-entities', { rows: entityRows.slice(i, i + WRITE_BATCH), by, model: input.embeddingModel })) {
          upserted.push({ key: String(r.key), id: String(r.id), created: Boolean(r.created) });
        }
      }
      const createdEntities = upserted.filter((e) => e.created);
      nodes += createdEntities.length;
      progress(0.1);

      // Document and chunks.
      const [created] = await tx.run('ingestion/create-document', {
        doc: {
          id: doc.documentId, source: doc.source, title: doc.title, mediaType: doc.mediaType, language: doc.language, visibility: doc.visibility,
          contentHash: doc.contentHash, text: doc.text, chunkCount: doc.chunks.length, piiFound: doc.piiFound, jobId: doc.jobId,
          // A trusted source's passages are answerable at once; others' once reviewed (retrieval/hybrid).
          trusted: doc.trusted,
        },
        by,
      });
      const version = Number(created?.version ?? 1);
      nodes += 1;
      const chunkRows = doc.chunks.map((c, i) => ({
        id: chunkId(doc.documentId, c.index), index: c.index, text: c.text, start: c.start, end: c.end,
        embedding: input.chunkEmbeddings[i] ? decodeVector(input.chunkEmbeddings[i]) : null,
        values: JSON.stringify(doc.values.filter((v) => v.start >= c.start && v.end <= c.end).map((v) => ({ type: v.type, text: v.text, start: v.start, end: v.end, value: v.value }))),
      }));
      nodes += await batched(tx, 'ingestion/create-chunks', chunkRows, { documentId: doc.documentId, model: input.chunkEmbeddingModel });
      progress(0.35);

      // Mentions: one MENTIONS per (chunk, entity).
      const byPair = new Map<string, { chunkId: string; key: string; count: number; starts: number[]; ends: number[]; text: string; source: string; confidence: number }>();
      for (const m of input.mentions) {
        const id = chunkId(doc.documentId, m.chunkIndex);
        const k = `${id}\u0000${m.key}`;
        const row = byPair.get(k) ?? { chunkId: id, key: m.key, count: 0, starts: [], ends: [], text: m.text, source: m.source, confidence: 0 };
        row.count++;
        row.starts.push(m.start);
        row.ends.push(m.end);
        row.confidence = Math.max(row.confidence, m.confidence);
        byPair.set(k, row);
      }
      const mentions = await batched(tx, 'ingestion/create-mentions', [...byPair.values()]);
      const relationRows = input.relations
        .filter((r) => (relationTypes as readonly string[]).includes(r.type))
        .map((r) => ({ type: r.type, headKey: r.headKey, tailKey: r.tailKey, confidence: r.confidence, chunkId: chunkId(doc.documentId, r.chunkIndex), start: r.start, end: r.end, evidence: r.evidence }));
      const relations = await batched(tx, 'ingestion/create-relations', relationRows, { documentId: doc.documentId });
      progress(0.5);

      // Supersede earlier versions of this source.
      const tasks: Array<Record<string, unknown>> = [];
      let sourceRemoved = 0;
      const survivingHashes = new Set<string>();
      if (created?.previousId) {
        await tx.run('ingestion/delete-superseded-drafts', { source: doc.source, documentId: doc.documentId });
        const older = await tx.run('ingestion/older-derived-items', { source: doc.source, documentId: doc.documentId });
        const moves: Array<{ knowledgeId: string; chunkId: string; start: number; end: number }> = [];
        const lost = new Map<string, { hasTask: boolean; status: string; quote: string }>();
        const found = new Set<string>();
        for (const r of older) {
          const id = String(r.id);
          const quote = String(r.quote ?? '');
          survivingHashes.add(String(r.contentHash));
          const at = quote ? doc.text.indexOf(quote) : -1;
          if (at >= 0) {
            found.add(id);
            for (const part of spanByChunk(doc.chunks, { start: at, end: at + quote.length })) {
              moves.push({ knowledgeId: id, chunkId: chunkId(doc.documentId, part.chunk.index), start: part.start, end: part.end });
            }
          } else if (!lost.has(id)) {
            lost.set(id, { hasTask: Boolean(r.hasOpenRemovalTask), status: String(r.status), quote });
          }
        }
        await batched(tx, 'ingestion/repoint-sources', moves, { source: doc.source, documentId: doc.documentId });
        for (const [id, l] of lost) {
          if (found.has(id) || l.hasTask || !['PUBLISHED', 'IN_REVIEW'].includes(l.status)) continue;
          sourceRemoved++;
          tasks.push({
            id: taskId('source-removed', id, doc.documentId), type: 'source-removed', targetId: id, targetLabel: 'Knowledge', candidateId: null, score: null,
            documentId: doc.documentId, chunkId: null, start: null, end: null, quote: l.quote,
            reason: `The sentence this item was derived from is not in version ${version} of ${doc.source}.`,
          });
        }
        await tx.run('ingestion/prune-superseded', { source: doc.source, documentId: doc.documentId });
      }
      progress(0.6);

      // Drafts (skipping what an earlier version already gave and an editor kept).
      const drafts = input.drafts
        .map((d, i) => ({ d, embedding: input.draftEmbeddings[i] ?? null }))
        .filter(({ d }) => !survivingHashes.has(contentHash(d.content)));
      const status = doc.trusted ? 'PUBLISHED' : 'DRAFT';
      const saved = drafts.length
        ? await this.knowledge.saveInTx(tx, {
            items: drafts.map(({ d }) => ({ content: { ...d.content, externalId: draftExternalId(doc.documentId, d.ref) } })),
            status,
            by,
          })
        : { outcomes: [] };
      const draftIds = saved.outcomes.map((o) => o.id);
      nodes += saved.outcomes.filter((o) => o.outcome === 'created').length * 2; // item + its first version
      const derived = drafts.flatMap(({ d }, i) =>
        spanByChunk(doc.chunks, d).map((part) => ({ knowledgeId: draftIds[i]!, chunkId: chunkId(doc.documentId, part.chunk.index), start: part.start, end: part.end })),
      );
      await batched(tx, 'ingestion/create-derived-from', derived);
      // With an external vector store the drafts stay pending here and the embedder puts them into it
      // (marking them embedded in the graph would keep them out of that store for good).
      const embeddings = this.options.draftVectorsInGraph ? drafts.flatMap(({ embedding }, i) => (embedding ? [{ id: draftIds[i]!, embedding: decodeVector(embedding) }] : [])) : [];
      await batched(tx, 'ingestion/set-knowledge-embeddings', embeddings, { model: input.embeddingModel });
      progress(0.85);

      // Review tasks.
      if (!doc.trusted) {
        drafts.forEach(({ d }, i) => {
          const first = spanByChunk(doc.chunks, d)[0];
          tasks.push({
            id: taskId('draft', draftIds[i]!), type: 'draft', targetId: draftIds[i]!, targetLabel: 'Knowledge', candidateId: null, score: null,
            documentId: doc.documentId, chunkId: first ? chunkId(doc.documentId, first.chunk.index) : null, start: d.start, end: d.end,
            quote: doc.text.slice(d.start, d.end), reason: d.reason,
          });
        });
      }
      const idByKey = new Map(upserted.map((e) => [e.key, e]));
      for (const s of input.suggestions) {
        const e = idByKey.get(s.key);
        if (!e?.created) continue; // the name became an existing entity meanwhile: nothing to merge
        tasks.push({
          id: taskId('entity-merge', e.id, s.candidateId), type: 'entity-merge', targetId: e.id, targetLabel: 'Entity', candidateId: s.candidateId, score: s.score,
          documentId: doc.documentId, chunkId: null, start: null, end: null, quote: null,
          reason: `"${input.newEntities.find((n) => n.key === s.key)?.name ?? s.key}" may be "${s.candidateName}" (similarity ${s.score}).`,
        });
      }
      const reviewTasks = await batched(tx, 'ingestion/create-review-tasks', tasks);
      nodes += reviewTasks;

      const counts: Partial<IngestionCounts> = {
        chunks: doc.chunks.length,
        mentions,
        entitiesCreated: createdEntities.length,
        entitiesLinked: new Set(input.mentions.map((m) => m.key)).size,
        mergeSuggestions: input.suggestions.length,
        relations,
        drafts: drafts.length,
        reviewTasks,
        sourceRemoved,
      };
      const result: WriteResult = { documentId: doc.documentId, version, alreadyWritten: false, writtenBy: doc.jobId, counts, nodes, draftIds };
      await tx.run('ingestion/finish-document', { documentId: doc.documentId, stats: JSON.stringify({ counts, draftIds }) });
      progress(1);
      return result;
    });
  }
}
