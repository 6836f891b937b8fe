import type { BatcherStats, MicroBatcher } from './batcher.js';
import { ModelTaskMismatchError } from './inference.errors.js';
import { buildTokenBatch, floatData, outputInfo, pickOutput } from './model-io.js';
import type { LoadedModel, ModelRegistry } from './model-registry.js';
import { LazyModel, pipelineBatcher, type PipelineOptions } from './pipeline-model.js';
import { l2Normalize, meanPool } from './tensor-math.js';

/** The pipelines' batching options, plus the embedding cache. */
export interface EmbeddingPipelineOptions extends PipelineOptions {
  /** Embeddings kept in an LRU keyed by text (0 disables). Default 10,000. */
  cacheSize?: number;
}

interface EmbedItem {
  ids: number[];
}

/**
 * What a text is embedded as. Models trained with instruction prefixes (multilingual-E5: `query: `,
 * `passage: `) place a question and the item that answers it apart from two texts of the same kind;
 * the manifest's `queryPrefix` / `passagePrefix` say what to prepend. A question, an intent example or
 * anything compared with questions is a `query`; a knowledge item, a document chunk or an entity name
 * stored in an index is a `passage`.
 */
export type EmbedRole = 'query' | 'passage';

/** The text the model sees for `text` embedded as `role` (the prefix of the model's manifest entry, if any). */
export function prefixed(spec: { queryPrefix?: string; passagePrefix?: string }, text: string, role: EmbedRole): string {
  const prefix = role === 'query' ? spec.queryPrefix : spec.passagePrefix;
  return prefix ? `${prefix}${text}` : text;
}

/**
 * Sentence embeddings: tokenize → model → pooling (mean over the attention mask by default, `cls` if
 * the manifest says so) → L2 normalisation (unless the manifest sets `normalize: false`). Graphs that
 * already output a pooled `[batch, dim]` tensor are only normalised.
 */
export class EmbeddingPipeline {
  private readonly batcher: MicroBatcher<EmbedItem, Float32Array>;
  private readonly cache = new Map<string, Float32Array>();
  private readonly cacheSize: number;
  private readonly model: LazyModel;

  constructor(
    registry: ModelRegistry,
    readonly modelName: string,
    options: EmbeddingPipelineOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 10_000;
    this.batcher = pipelineBatcher<EmbedItem, Float32Array>(modelName, options, { lengthOf: (item) => item.ids.length, run: (items) => this.runBatch(items) });
    this.model = new LazyModel(registry, modelName, (m) => {
      if (m.spec.task !== 'embedding') throw new ModelTaskMismatchError(m.spec.name, 'embedding', m.spec.task);
      if (!m.tokenizer) throw new ModelTaskMismatchError(m.spec.name, 'token input', 'text input');
    });
  }

  get stats(): BatcherStats {
    return this.batcher.stats;
  }

  /** Loads the model (and checks its files) without embedding anything. */
  async ready(): Promise<void> {
    await this.model.get();
  }

  /** The prefixes the model was trained with (none for models without them). */
  async prefixes(): Promise<{ query: string; passage: string }> {
    const { spec } = await this.model.get();
    return { query: spec.queryPrefix ?? '', passage: spec.passagePrefix ?? '' };
  }

  /**
   * One L2-normalised vector per text, in order, each embedded as `role` (see {@link EmbedRole}). The
   * cache is keyed by role and text, so a question and a stored item with the same words never share
   * a vector when the model prefixes them differently.
   */
  async embed(texts: readonly string[], role: EmbedRole): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const model = await this.model.get();
    const tokenizer = model.tokenizer as NonNullable<LoadedModel['tokenizer']>;
    // Cache key: the role, then what the model reads (the text behind the role's prefix).
    const inputs = texts.map((t) => `${role}\u0000${prefixed(model.spec, t, role)}`);
    const out: (Float32Array | undefined)[] = inputs.map((t) => this.cacheGet(t));
    const missing: number[] = [];
    out.forEach((v, i) => {
      if (!v) missing.push(i);
    });
    // Identical texts in one call are embedded once.
    const unique = new Map<string, number[]>();
    for (const i of missing) {
      const text = inputs[i] as string;
      const list = unique.get(text);
      if (list) list.push(i);
      else unique.set(text, [i]);
    }
    const uniqueTexts = [...unique.keys()];
    const items = uniqueTexts.map((key) => ({ ids: tokenizer.encode(key.slice(key.indexOf('\u0000') + 1), model.spec.maxLength) }));
    const vectors = await this.batcher.submitAll(items);
    uniqueTexts.forEach((text, k) => {
      const v = vectors[k] as Float32Array;
      this.cacheSet(text, v);
      for (const i of unique.get(text) as number[]) out[i] = v;
    });
    return out as Float32Array[];
  }

  /** Embeds pre-tokenized sequences (special tokens included), bypassing the cache; used by the bench. */
  async embedTokenized(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    await this.model.get();
    return this.batcher.submitAll(sequences.map((ids) => ({ ids: [...ids] })));
  }

  private async runBatch(items: EmbedItem[]): Promise<Float32Array[]> {
    const model = await this.model.get();
    const tokenizer = model.tokenizer as NonNullable<LoadedModel['tokenizer']>;
    const { feeds, seqLen, mask } = buildTokenBatch(
      items.map((i) => i.ids),
      tokenizer.padId,
      model.session.inputs,
    );
    const outputName = pickOutput(model, ['last_hidden_state', 'token_embeddings', 'sentence_embedding']);
    const result = await model.session.run(feeds, [outputName]);
    const output = result[outputName];
    const data = floatData(output, outputName);
    const dims = output?.dims ?? outputInfo(model, outputName)?.shape ?? [];
    const normalize = model.spec.normalize ?? true;
    if (dims.length === 2) {
      // Already pooled by the graph.
      const dim = Number(dims[1]);
      return items.map((_, b) => {
        const v = data.slice(b * dim, (b + 1) * dim);
        return normalize ? l2Normalize(v) : v;
      });
    }
    const dim = Number(dims[2]);
    if ((model.spec.pooling ?? 'mean') === 'cls') {
      return items.map((_, b) => {
        const v = data.slice(b * seqLen * dim, b * seqLen * dim + dim);
        return normalize ? l2Normalize(v) : v;
      });
    }
    return meanPool(data, mask, items.length, seqLen, dim, normalize);
  }

  private cacheGet(text: string): Float32Array | undefined {
    const v = this.cache.get(text);
    if (v) {
      // Refresh recency (Map keeps insertion order).
      this.cache.delete(text);
      this.cache.set(text, v);
    }
    return v;
  }

  private cacheSet(text: string, v: Float32Array): void {
    if (this.cacheSize <= 0) return;
    this.cache.set(text, v);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  async close(): Promise<void> {
    await this.batcher.close();
  }
}
