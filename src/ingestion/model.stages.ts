import type { Logger } from 'pino';
import type { InferenceService } from '../inference/index.js';
import { entityKey } from '../knowledge/entity.repository.js';
import { kinds } from '../knowledge/kinds/index.js';
import type { ChunkData, DraftData, EntityCandidate } from './ingestion.types.js';
import { stage } from './stage.js';

/**
 * The model-heavy stages (NER, embeddings). They run on their own queue so that GPU workers
 * (`INFERENCE_DEVICE=cuda`, `INGEST_QUEUES=model`) can take them while CPU workers do the rest.
 */

/** What the model stages need; {@link modelAccess} builds it from the inference service. */
export interface ModelAccess {
  /** Name of the embedding model, or null when none is built (embeddings are then skipped, not faked). */
  embeddingModel: string | null;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Model for chunks (INGEST_CHUNK_EMBEDDING_MODEL; default the embedding model), or null. */
  chunkModel: string | null;
  embedChunks(texts: readonly string[]): Promise<Float32Array[]>;
  /** Name of the NER model, or null when the manifest has no `ner`. */
  nerModel: string | null;
  /** Languages the NER model was trained for (empty: any). */
  nerLanguages: readonly string[];
  ner(text: string): Promise<Array<{ text: string; type: string; start: number; end: number; score: number }>>;
}

/** Asks the manifest which models exist; the NER step uses the model only when the manifest has it. */
export async function modelAccess(inference: InferenceService, names: { embedding: string; ner: string; chunks?: string }, logger: Logger): Promise<ModelAccess> {
  const has = async (name: string) => {
    try {
      return await inference.registry.has(name);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'model manifest unreadable: ingestion runs without models');
      return false;
    }
  };
  const [embedding, ner, chunksBuilt] = await Promise.all([has(names.embedding), has(names.ner), names.chunks ? has(names.chunks) : Promise.resolve(false)]);
  const nerSpec = ner ? await inference.registry.spec(names.ner) : null;
  if (!embedding) logger.warn({ model: names.embedding }, 'embedding model not built (npm run models): chunks and drafts are stored without embeddings');
  if (names.chunks && !chunksBuilt && embedding) logger.warn({ model: names.chunks, instead: names.embedding }, 'chunk embedding model not built: chunks use the retrieval model');
  const chunkName = chunksBuilt ? (names.chunks as string) : names.embedding;
  const chunks = chunksBuilt || embedding;
  return {
    embeddingModel: embedding ? names.embedding : null,
    embed: (texts) => inference.embed(texts, 'passage', names.embedding),
    chunkModel: chunks ? chunkName : null,
    embedChunks: (texts) => inference.embed(texts, 'passage', chunkName),
    nerModel: ner ? names.ner : null,
    nerLanguages: nerSpec?.languages ?? [],
    ner: (text) => inference.tokenClassify(text, names.ner),
  };
}

/** NER labels (CoNLL and friends) → the controlled vocabulary of entity types. */
const NER_TYPES: Record<string, string> = {
  PER: 'Person', PERSON: 'Person', ORG: 'Organization', ORGANIZATION: 'Organization', LOC: 'Location', GPE: 'Location', LOCATION: 'Location',
  PRODUCT: 'Product', PROD: 'Product', EVENT: 'Event', MISC: 'Concept',
};
const MIN_NER_SCORE = 0.6;
/** MISC spans are the noisiest (currency symbols, code prefixes): a higher bar and a real word. */
const MIN_MISC_SCORE = 0.85;

/** Spans the patterns already explain (amounts, dates, codes) are not entities. */
function keepNerSpan(span: { text: string; type: string; score: number }, start: number, end: number, taken: ReadonlyArray<{ start: number; end: number }>): boolean {
  if (span.score < MIN_NER_SCORE || !/\p{L}.*\p{L}/u.test(span.text)) return false;
  if (span.type.toUpperCase() === 'MISC' && (span.score < MIN_MISC_SCORE || span.text.trim().length < 3)) return false;
  return !taken.some((t) => start < t.end && t.start < end);
}

export const nerStage = (models: ModelAccess) =>
  stage('ner', async (input: { chunks: ChunkData[]; language: string; taken?: ReadonlyArray<{ start: number; end: number }> }, ctx): Promise<EntityCandidate[]> => {
    if (!models.nerModel) return [];
    if (models.nerLanguages.length > 0 && !models.nerLanguages.includes(input.language.split('-')[0]!)) return [];
    const out: EntityCandidate[] = [];
    for (const [i, chunk] of input.chunks.entries()) {
      for (const span of await models.ner(chunk.text)) {
        const start = chunk.start + span.start;
        const end = chunk.start + span.end;
        if (!keepNerSpan(span, start, end, input.taken ?? [])) continue;
        out.push({ start, end, text: span.text, type: NER_TYPES[span.type.toUpperCase()] ?? 'Concept', source: 'ner', confidence: span.score });
      }
      ctx.progress((i + 1) / input.chunks.length);
    }
    return out;
  });

/**
 * The text a draft is embedded from — the kind's recipe (`KindSpec.embeddingText`), the one
 * retrieval's knowledge embedder uses, so vectors written here are what its sweep would have written.
 */
export function draftEmbeddingText(d: DraftData): string {
  return kinds[d.content.kind].embeddingText(d.content);
}

export const encodeVector = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
export const decodeVector = (s: string): number[] => {
  const buf = Buffer.from(s, 'base64');
  return Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
};

export interface Embeddings {
  /** Model of the chunk vectors (null: none). */
  chunkModel: string | null;
  chunks: Array<string | null>;
  drafts: Array<string | null>;
  names: Record<string, string>;
}

/** Embeds in batches of `batchSize`, reporting progress after each. */
async function embedAll(embed: (texts: readonly string[]) => Promise<Float32Array[]>, texts: string[], batchSize: number, done: (n: number) => void): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < texts.length; i += batchSize) {
    // One batch at a time keeps memory flat and lets progress move; the micro-batcher still merges
    // batches of concurrent jobs into one model run.
    out.push(...(await embed(texts.slice(i, i + batchSize))).map(encodeVector));
    done(Math.min(batchSize, texts.length - i));
  }
  return out;
}

/**
 * Embeds chunks (with the chunk model), drafts and candidate entity names (with the model retrieval
 * queries with, so knowledge and entity vectors stay comparable) in batches.
 */
export const embedStage = (models: ModelAccess, batchSize = 64) =>
  stage('embed', async (input: { chunks: ChunkData[]; drafts: DraftData[]; names: string[] }, ctx): Promise<Embeddings> => {
    const names = [...new Map(input.names.map((n) => [entityKey(n), n])).entries()];
    const total = (models.chunkModel ? input.chunks.length : 0) + (models.embeddingModel ? input.drafts.length + names.length : 0);
    let done = 0;
    const tick = (n: number) => ctx.progress((done += n) / Math.max(1, total));
    const chunks = models.chunkModel ? await embedAll((t) => models.embedChunks(t), input.chunks.map((c) => c.text), batchSize, tick) : input.chunks.map(() => null);
    if (!models.embeddingModel) return { chunkModel: models.chunkModel, chunks, drafts: input.drafts.map(() => null), names: {} };
    const rest = await embedAll((t) => models.embed(t), [...input.drafts.map(draftEmbeddingText), ...names.map(([, n]) => n)], batchSize, tick);
    return {
      chunkModel: models.chunkModel,
      chunks,
      drafts: rest.slice(0, input.drafts.length),
      names: Object.fromEntries(names.map(([key], i) => [key, rest[input.drafts.length + i]!])),
    };
  });
