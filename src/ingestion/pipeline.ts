import type { Logger } from 'pino';
import type { CypherExecutor } from '../graph/executor.js';
import { entityKey } from '../knowledge/entity.repository.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { Gazetteer } from './gazetteer.js';
import { GraphWriter, type WriteResult } from './graph-writer.js';
import type { IngestRequest, InferredDocument, PreparedDocument } from './ingestion.types.js';
import { nerTargets } from '../inference/ner-gate.js';
import { decodeVector, embedStage, encodeVector, nerStage, type ModelAccess } from './model.stages.js';
import { chunkStage, draftStage, normaliseStage, parseStage, patternStage, piiStage, type PrepareLimits } from './prepare.stages.js';
import { defaultResolveOptions, relationStage, resolveStage, type NearestEntity, type ResolveOptions } from './resolve.stages.js';
import { documentSentences } from './sentences.js';
import { runStage, type StageName, type StageTimings } from './stage.js';

export interface PipelineOptions extends PrepareLimits {
  resolve: ResolveOptions;
  /** Most entities the gazetteer loads. Default 50,000. */
  gazetteerLimit: number;
  /** How long a worker reuses the entity dictionary. Default 30 s. */
  gazetteerTtlMs: number;
  /**
   * Whether draft vectors are written into the graph with the drafts (the Neo4j vector store). With an
   * external store (Qdrant) they are not: the drafts stay pending and the knowledge embedder's sweep,
   * started by the knowledge event after the write, puts them into that store. Default true.
   */
  draftVectorsInGraph: boolean;
}

export const defaultPipelineOptions: PipelineOptions = {
  maxBytes: 10 * 1024 * 1024,
  maxChars: 2_000_000,
  resolve: defaultResolveOptions,
  gazetteerLimit: 50_000,
  gazetteerTtlMs: 30_000,
  draftVectorsInGraph: true,
};

/** What a stage run reports to: the job record (progress, stage) and the timings. */
export interface RunEnv {
  logger: Logger;
  report(stage: StageName, progress: number): void;
  timings: StageTimings;
  /** Metrics: how long each stage took. */
  observe?(stage: StageName, ms: number): void;
}

/**
 * The pipeline, one method per queue: `prepare` (CPU), `infer` (models), `write` (resolution,
 * relations and the one graph transaction). Each chains small typed stages; none knows BullMQ, so
 * the benchmark and tests run the same code in-process.
 */
export class IngestionPipeline {
  readonly options: PipelineOptions;
  private readonly writer: GraphWriter;
  private dictionary: { at: number; gazetteer: Promise<Gazetteer> } | null = null;

  constructor(
    private readonly deps: { executor: CypherExecutor; knowledge: KnowledgeService; models: () => Promise<ModelAccess>; logger: Logger },
    options: Partial<PipelineOptions> = {},
  ) {
    this.options = { ...defaultPipelineOptions, ...options };
    this.writer = new GraphWriter(deps.executor, deps.knowledge, { draftVectorsInGraph: this.options.draftVectorsInGraph });
  }

  /** The source's current version when it has exactly this content (re-ingestion is then a no-op). */
  async unchanged(source: string, contentHash: string): Promise<{ documentId: string; version: number; stats: string | null } | null> {
    const [row] = await this.deps.executor.read('ingestion/current-version', { source });
    if (!row || row.contentHash !== contentHash) return null;
    return { documentId: String(row.id), version: Number(row.version), stats: (row.stats as string | null) ?? null };
  }

  async prepare(data: { request: IngestRequest; jobId: string; documentId: string; contentHash: string }, env: RunEnv): Promise<PreparedDocument> {
    const req = data.request;
    const parsed = await runStage(parseStage(this.options), req, env);
    const normalised = await runStage(normaliseStage(this.options), parsed, env);
    const masked = await runStage(piiStage, normalised, env);
    const laid = await runStage(chunkStage, { blocks: masked.blocks, language: req.language }, env);
    const drafts = await runStage(draftStage, { text: laid.text, blocks: laid.blocks, sentences: laid.sentences, language: laid.language, visibility: req.visibility, records: masked.records }, env);
    const patterns = await runStage(patternStage, laid.text, env);
    return {
      jobId: data.jobId,
      documentId: data.documentId,
      contentHash: data.contentHash,
      title: req.title,
      mediaType: req.mediaType,
      source: req.source,
      language: laid.language,
      visibility: req.visibility,
      trusted: req.trusted,
      by: req.by,
      text: laid.text,
      blocks: laid.blocks,
      chunks: laid.chunks,
      values: patterns.values,
      candidates: patterns.candidates,
      drafts,
      piiFound: masked.piiFound,
      structured: masked.records !== null,
    };
  }

  async infer(doc: PreparedDocument, env: RunEnv): Promise<InferredDocument> {
    const started = performance.now();
    const models = await this.deps.models();
    const known = [...doc.values, ...doc.candidates];
    let targets = doc.chunks;
    const nerModel = models.nerModel(doc.language);
    if (nerModel) {
      const gazetteer = await this.gazetteer();
      targets = nerTargets(doc.text, documentSentences(doc.text, doc.blocks), [...known, ...gazetteer.find(doc.text)], { language: doc.language });
    }
    const ner = await runStage(nerStage(models), { chunks: targets, language: doc.language, taken: known }, env);
    const names = [...doc.candidates, ...ner].map((c) => c.text);
    const vectors = await runStage(embedStage(models), { chunks: doc.chunks, drafts: doc.drafts, names }, env);
    if (models.embeddingModel) await this.embedEntities(models);
    return {
      chunkEmbeddings: vectors.chunks,
      draftEmbeddings: vectors.drafts,
      nameEmbeddings: vectors.names,
      nerCandidates: ner,
      modelMs: performance.now() - started,
      embeddingModel: models.embeddingModel,
      chunkEmbeddingModel: vectors.chunkModel,
      nerModel,
    };
  }

  /** Entities from imports and seeds have no name embedding yet; resolution needs them. */
  private async embedEntities(models: ModelAccess): Promise<void> {
    const rows = await this.deps.executor.read('ingestion/entities-without-embedding', { limit: 256, model: models.embeddingModel });
    if (rows.length === 0) return;
    const vectors = await models.embed(rows.map((r) => String(r.text))); // entity names: stored passages
    await this.deps.executor.write('ingestion/set-entity-embeddings', { rows: rows.map((r, i) => ({ id: r.id, embedding: Array.from(vectors[i]!) })), model: models.embeddingModel });
  }

  /** Entities were imported (or renamed): the next document reads the dictionary again, not after the TTL. */
  invalidateGazetteer(): void {
    this.dictionary = null;
  }

  async gazetteer(): Promise<Gazetteer> {
    if (!this.dictionary || Date.now() - this.dictionary.at > this.options.gazetteerTtlMs) {
      const gazetteer = this.deps.executor.read('ingestion/entity-dictionary', { limit: this.options.gazetteerLimit }).then((rows) => new Gazetteer(rows));
      this.dictionary = { at: Date.now(), gazetteer };
      gazetteer.catch(() => {
        this.dictionary = null;
      });
    }
    return this.dictionary.gazetteer;
  }

  async write(doc: PreparedDocument, inferred: InferredDocument, env: RunEnv): Promise<WriteResult> {
    const gazetteer = await this.gazetteer();
    const candidates = [...doc.candidates, ...inferred.nerCandidates];
    const unknown = [...new Set(candidates.filter((c) => !gazetteer.lookup(c.text)).map((c) => entityKey(c.text)))].filter((k) => inferred.nameEmbeddings[k]);
    const nearest = new Map<string, NearestEntity>();
    if (unknown.length > 0) {
      const rows = await this.deps.executor.read('ingestion/nearest-entities', { rows: unknown.map((key) => ({ key, embedding: decodeVector(inferred.nameEmbeddings[key]!) })), model: inferred.embeddingModel });
      for (const r of rows) nearest.set(String(r.key), { id: String(r.id), key: String(r.entityKey), name: String(r.name), score: Number(r.score) });
    }
    const resolution = await runStage(resolveStage(this.options.resolve), { text: doc.text, chunks: doc.chunks, candidates, drafts: doc.drafts, gazetteer, nearest, nameEmbeddings: inferred.nameEmbeddings }, env);
    const sentences = documentSentences(doc.text, doc.blocks);
    const relations = await runStage(relationStage, { text: doc.text, sentences, mentions: resolution.mentions, chunks: doc.chunks }, env);
    const result = await runStage(
      this.writer.stage(),
      {
        doc,
        chunkEmbeddings: inferred.chunkEmbeddings,
        draftEmbeddings: inferred.draftEmbeddings,
        embeddingModel: inferred.embeddingModel,
        chunkEmbeddingModel: inferred.chunkEmbeddingModel ?? null,
        mentions: resolution.mentions,
        newEntities: resolution.newEntities,
        suggestions: resolution.suggestions,
        drafts: resolution.drafts,
        relations,
      },
      env,
    );
    if ((result.counts.entitiesCreated ?? 0) > 0) this.dictionary = null; // new names: reload the gazetteer
    if (!result.alreadyWritten && result.draftIds.length > 0) {
      // One event for the whole document: review consoles refresh, retrieval embeds what it lacks.
      await this.deps.knowledge.notifyImport(doc.by).catch((err: unknown) => env.logger.warn({ err }, 'knowledge event not published'));
    }
    return result;
  }
}

export { encodeVector };
