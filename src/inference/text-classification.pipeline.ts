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

type ClassifyItem = { kind: 'tokens'; ids: number[] } | { kind: 'text'; text: string };

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

  async classify(text: string): Promise<Classification> {
    const [c] = await this.classifyBatch([text]);
    return c as Classification;
  }

  async classifyBatch(texts: readonly string[]): Promise<Classification[]> {
    if (texts.length === 0) return [];
    const model = await this.model.get();
    const items: ClassifyItem[] = model.tokenizer
      ? texts.map((t) => ({ kind: 'tokens', ids: (model.tokenizer as NonNullable<LoadedModel['tokenizer']>).encode(t, model.spec.maxLength) }))
      : texts.map((t) => ({ kind: 'text', text: truncateChars(t, model.spec.maxLength) }));
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
