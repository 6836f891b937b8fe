import type { BatcherStats, MicroBatcher } from './batcher.js';
import { ModelTaskMismatchError } from './inference.errors.js';
import { temperatureOf } from './manifest.js';
import { buildTextFeeds, buildTokenBatch, floatData, pickOutput } from './model-io.js';
import type { LoadedModel, ModelRegistry } from './model-registry.js';
import { LazyModel, pipelineBatcher, type PipelineOptions } from './pipeline-model.js';
import { argmax, softmax } from './tensor-math.js';

export interface Classification {
  label: string;
  /** Calibrated probability of `label`. */
  score: number;
  /** Probability of every label. */
  scores: Record<string, number>;
}

/** A text's embedding by a named model (a model with `embeddingInput` reads one). */
export interface TextVector {
  model: string;
  vector: Float32Array;
}

/** Embeds texts with a named model as a role (InferenceService.embed). */
export type EmbedFn = (texts: readonly string[], role: 'query' | 'passage', model: string) => Promise<Float32Array[]>;

type ClassifyItem = ({ kind: 'tokens'; ids: number[] } | { kind: 'text'; text: string }) & { vector?: Float32Array };

/**
 * Turns one row of model output into probabilities. Logits are divided by the manifest's `temperature`
 * (fitted by the trainer on held-out data) before the softmax; a graph that already outputs
 * probabilities (skl2onnx `probabilities`) is tempered in log space, `p^(1/T)` renormalised, which is
 * the same operation.
 */
export function toProbabilities(row: ArrayLike<number>, options: { temperature?: number; probabilities: boolean }): Float64Array {
  const t = options.temperature ?? 1;
  if (!options.probabilities) return softmax(row, t);
  const logs = Array.from(row, (p) => Math.log(Math.max(p, 1e-12)));
  return softmax(logs, t);
}

export function classificationFrom(probabilities: ArrayLike<number>, labels: readonly string[]): Classification {
  const best = argmax(probabilities);
  const scores: Record<string, number> = {};
  for (let i = 0; i < probabilities.length; i++) scores[labels[i] ?? `LABEL_${i}`] = probabilities[i] as number;
  return { label: labels[best] ?? `LABEL_${best}`, score: probabilities[best] as number, scores };
}

/** Cuts a text to `max` code points (not UTF-16 units, so a surrogate pair is never split). */
function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

/** Sequence classification (sentiment, …) for models taking tokens or raw text. */
export class TextClassificationPipeline {
  private readonly batcher: MicroBatcher<ClassifyItem, Classification>;
  private readonly model: LazyModel;

  constructor(
    registry: ModelRegistry,
    readonly modelName: string,
    options: PipelineOptions = {},
    /** Embeddings for a model with `embeddingInput` when the caller brings none of that model. */
    private readonly embed?: EmbedFn,
  ) {
    this.batcher = pipelineBatcher<ClassifyItem, Classification>(modelName, options, { lengthOf: (item) => (item.kind === 'tokens' ? item.ids.length : item.text.length), run: (items) => this.runBatch(items) });
    this.model = new LazyModel(registry, modelName, (m) => {
      if (m.spec.task !== 'text-classification') throw new ModelTaskMismatchError(m.spec.name, 'text-classification', m.spec.task);
    });
  }

  get stats(): BatcherStats {
    return this.batcher.stats;
  }

  async ready(): Promise<void> {
    await this.model.get();
  }

  async labels(): Promise<string[]> {
    const m = await this.model.get();
    return m.labels ?? [];
  }

  /** `vector`: the text's embedding, used when the model reads one from that embedding model. */
  async classify(text: string, vector?: TextVector): Promise<Classification> {
    const [c] = await this.classifyBatch([text], vector ? [vector] : undefined);
    return c as Classification;
  }

  async classifyBatch(texts: readonly string[], vectors?: ReadonlyArray<TextVector | undefined>): Promise<Classification[]> {
    if (texts.length === 0) return [];
    const model = await this.model.get();
    const items: ClassifyItem[] = model.tokenizer
      ? texts.map((t) => ({ kind: 'tokens', ids: (model.tokenizer as NonNullable<LoadedModel['tokenizer']>).encode(t, model.spec.maxLength) }))
      : texts.map((t) => ({ kind: 'text', text: truncateChars(t, model.spec.maxLength) }));
    const wanted = model.spec.embeddingInput;
    if (wanted) {
      // The caller's embeddings where they come from the model this one reads; the rest embedded here.
      const given = texts.map((_, i) => (vectors?.[i]?.model === wanted.model ? vectors[i]?.vector : undefined));
      const missing = texts.flatMap((t, i) => (given[i] ? [] : [i]));
      if (missing.length > 0) {
        if (!this.embed) throw new Error(`Model "${model.spec.name}" reads ${wanted.model} embeddings and no embedder was given`);
        const made = await this.embed(
          missing.map((i) => texts[i] as string),
          wanted.role,
          wanted.model,
        );
        missing.forEach((i, j) => (given[i] = made[j]));
      }
      given.forEach((v, i) => {
        if (!v || v.length !== wanted.dimension) throw new Error(`Model "${model.spec.name}" needs ${wanted.dimension}-dimensional ${wanted.model} embeddings`);
        (items[i] as ClassifyItem).vector = v;
      });
    }
    return this.batcher.submitAll(items);
  }

  private async runBatch(items: ClassifyItem[]): Promise<Classification[]> {
    const model = await this.model.get();
    const feeds =
      model.tokenizer && items.every((i) => i.kind === 'tokens')
        ? buildTokenBatch(
            items.map((i) => (i as { ids: number[] }).ids),
            model.tokenizer.padId,
            model.session.inputs,
          ).feeds
        : buildTextFeeds(
            items.map((i) => (i.kind === 'text' ? i.text : '')),
            model.session.inputs,
          );
    const wanted = model.spec.embeddingInput;
    if (wanted) {
      const data = new Float32Array(items.length * wanted.dimension);
      items.forEach((item, i) => data.set(item.vector as Float32Array, i * wanted.dimension));
      feeds[wanted.input] = { type: 'float32', data, dims: [items.length, wanted.dimension] };
    }
    const outputName = pickOutput(model, ['logits', 'probabilities', 'output_probability']);
    const result = await model.session.run(feeds, [outputName]);
    const data = floatData(result[outputName], outputName);
    const classes = data.length / items.length;
    const labels = model.labels ?? [];
    if (labels.length > 0 && labels.length !== classes) {
      throw new Error(`Model "${model.spec.name}" outputs ${classes} classes but has ${labels.length} labels`);
    }
    const probabilities =
      model.spec.scoreKind !== undefined ? model.spec.scoreKind === 'probabilities' : (model.spec.outputsProbabilities ?? /prob/iu.test(outputName));
    return items.map((_, b) =>
      classificationFrom(toProbabilities(data.subarray(b * classes, (b + 1) * classes), { temperature: temperatureOf(model.spec), probabilities }), labels),
    );
  }

  async close(): Promise<void> {
    await this.batcher.close();
  }
}
