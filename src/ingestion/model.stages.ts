import type { Logger } from 'pino';
import { entityTypeOfNerLabel, type InferenceService } from '../inference/index.js';
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
  /**
   * The NER model of a document language (`ner` for English, `ner-zh-int8` for Chinese), or null when it is
   * not built, was not trained for that language, or INGEST_NER_LANGUAGES leaves the language out.
   */
  nerModel(language: string): string | null;
  /** Entity spans of `text` from the NER model of `language` (none without one). */
  ner(text: string, language: string): Promise<Array<{ text: string; type: string; start: number; end: number; score: number }>>;
}

/** Asks the manifest which models exist; the NER step uses the model only when the manifest has it. */
export async function modelAccess(
  inference: InferenceService,
  names: { embedding: string; chunks?: string; /** Languages to tag (INGEST_NER_LANGUAGES); default: any with a model. */ nerLanguages?: readonly string[] },
  logger: Logger,
): Promise<ModelAccess> {
  const has = async (name: string) => {
    try {
      return await inference.registry.has(name);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'model manifest unreadable: ingestion runs without models');
      return false;
    }
  };
  // The taggers inference serves per language (InferenceService.nerModel), the built ones with the languages each was trained for (empty: any).
  const taggers = [...new Set([inference.nerModel('en'), inference.nerModel('zh')])];
  const [embedding, chunksBuilt, ...built] = await Promise.all([has(names.embedding), names.chunks ? has(names.chunks) : Promise.resolve(false), ...taggers.map(has)]);
  const trained = new Map<string, readonly string[]>();
  for (const [i, name] of taggers.entries()) if (built[i]) trained.set(name, (await inference.registry.spec(name)).languages);
  const nerModel = (language: string): string | null => {
    const lang = language.split('-')[0] as string;
    if (names.nerLanguages && !names.nerLanguages.includes(lang)) return null;
    const model = inference.nerModel(lang);
    const languages = trained.get(model);
    return languages && (languages.length === 0 || languages.includes(lang)) ? model : null;
  };
  if (!embedding) logger.warn({ model: names.embedding }, 'embedding model not built (npm run models): chunks and drafts are stored without embeddings');
  if (names.chunks && !chunksBuilt && embedding) logger.warn({ model: names.chunks, instead: names.embedding }, 'chunk embedding model not built: chunks use the retrieval model');
  const chunkName = chunksBuilt ? (names.chunks as string) : names.embedding;
  const chunks = chunksBuilt || embedding;
  return {
    embeddingModel: embedding ? names.embedding : null,
    embed: (texts) => inference.embed(texts, 'passage', names.embedding),
    chunkModel: chunks ? chunkName : null,
    embedChunks: (texts) => inference.embed(texts, 'passage', chunkName),
    nerModel,
    ner: async (text, language) => {
      const model = nerModel(language);
      return model ? inference.tokenClassify(text, model) : [];
    },
  };
}

/** Sentences handed to the tagger at once (see nerStage). */
const NER_SLICE = 64;
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
    if (!models.nerModel(input.language)) return [];
    // Sentences go to the tagger 64 at a time, concurrently, so that its micro-batcher batches them (one by
    // one they ran as batches of one) without one long document filling the queue live messages share.
    const spans: Array<Awaited<ReturnType<ModelAccess['ner']>>> = [];
    for (let i = 0; i < input.chunks.length; i += NER_SLICE) {
      spans.push(...(await Promise.all(input.chunks.slice(i, i + NER_SLICE).map((chunk) => models.ner(chunk.text, input.language)))));
      ctx.progress(spans.length / input.chunks.length);
    }
    const out: EntityCandidate[] = [];
    input.chunks.forEach((chunk, i) => {
      for (const span of spans[i] ?? []) {
        const start = chunk.start + span.start;
        const end = chunk.start + span.end;
        const type = entityTypeOfNerLabel(span.type);
        if (type === null || !keepNerSpan(span, start, end, input.taken ?? [])) continue;
        out.push({ start, end, text: span.text, type, source: 'ner', confidence: span.score });
      }
    });
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
