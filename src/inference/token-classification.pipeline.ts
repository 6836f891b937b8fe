import type { BatcherStats, MicroBatcher } from './batcher.js';
import { caseIdsFor } from './casing.js';
import { aggregateEntities, viterbiBio, type EntitySpan, type LabelledToken } from './entity-aggregation.js';
import { ModelTaskMismatchError } from './inference.errors.js';
import { temperatureOf } from './manifest.js';
import { buildTokenBatch, floatData, pickOutput } from './model-io.js';
import type { LoadedModel, ModelRegistry } from './model-registry.js';
import { LazyModel, pipelineBatcher, type PipelineOptions } from './pipeline-model.js';
import type { AlignedToken } from './token-alignment.js';
import { argmax, softmax } from './tensor-math.js';

interface WindowItem {
  /** Model-ready ids (specials included). */
  ids: number[];
  /** Text tokens in the window (ids.length minus specials). */
  tokens: number;
  /** Per-token values of extra inputs (e.g. `case_ids`), aligned with `ids`. */
  extra: Record<string, number[]>;
}

/**
 * Cuts `n` tokens into windows of at most `capacity`, preferring to cut before a word start so that a
 * word's sub-words stay together (the first sub-word carries the word's label). Exported for tests.
 */
export function planWindows(aligned: readonly Pick<AlignedToken, 'wordStart'>[], capacity: number): [number, number][] {
  const windows: [number, number][] = [];
  let start = 0;
  while (start < aligned.length) {
    let end = Math.min(aligned.length, start + capacity);
    if (end < aligned.length) {
      let cut = end;
      while (cut > start + 1 && !aligned[cut]?.wordStart) cut--;
      if (cut > start + 1) end = cut;
    }
    windows.push([start, end]);
    start = end;
  }
  return windows;
}

/** Named-entity recognition (BIO labels) with character offsets into the original text. */
export class TokenClassificationPipeline {
  private readonly batcher: MicroBatcher<WindowItem, Float32Array>;
  private readonly model: LazyModel;

  constructor(
    registry: ModelRegistry,
    readonly modelName: string,
    options: PipelineOptions = {},
  ) {
    this.batcher = pipelineBatcher<WindowItem, Float32Array>(modelName, options, { lengthOf: (item) => item.ids.length, run: (items) => this.runBatch(items) });
    this.model = new LazyModel(registry, modelName, (m) => {
      if (m.spec.task !== 'token-classification') throw new ModelTaskMismatchError(m.spec.name, 'token-classification', m.spec.task);
      if (!m.tokenizer) throw new ModelTaskMismatchError(m.spec.name, 'token input', 'text input');
      if (!m.labels) throw new Error(`Model "${m.spec.name}" has no labels (manifest labels or config.json id2label)`);
    });
  }

  get stats(): BatcherStats {
    return this.batcher.stats;
  }

  async ready(): Promise<void> {
    await this.model.get();
  }

  async tokenClassify(text: string): Promise<EntitySpan[]> {
    const [spans] = await this.tokenClassifyBatch([text]);
    return spans as EntitySpan[];
  }

  /** Entity spans per text; `text.slice(span.start, span.end) === span.text` always holds. */
  async tokenClassifyBatch(texts: readonly string[]): Promise<EntitySpan[][]> {
    const labelled = await this.labelTokensBatch(texts);
    return texts.map((text, i) => aggregateEntities(text, labelled[i] as LabelledToken[]));
  }

  /** Per-token labels with offsets (before aggregation); also what the eval script scores. */
  async labelTokensBatch(texts: readonly string[]): Promise<LabelledToken[][]> {
    if (texts.length === 0) return [];
    const model = await this.model.get();
    const tokenizer = model.tokenizer as NonNullable<LoadedModel['tokenizer']>;
    const labels = model.labels as string[];
    const capacity = tokenizer.capacity(model.spec.maxLength);
    const casing = model.spec.casing;
    const segmented = model.spec.segmentation === 'cjk-chars';
    const plans = texts.map((text) => {
      const t = segmented ? tokenizer.tokenizeSegmented(text) : tokenizer.tokenizeWithOffsets(text);
      const windows = planWindows(t.aligned, capacity);
      const caseIds = casing ? caseIdsFor(text, t.aligned) : null;
      return { t, windows, caseIds };
    });
    const items: WindowItem[] = [];
    const prefix = tokenizer.prefixIds.map(() => 0);
    const suffix = tokenizer.suffixIds.map(() => 0);
    for (const { t, windows, caseIds } of plans) {
      for (const [s, e] of windows) {
        const extra: Record<string, number[]> = {};
        // Special tokens get casing class 0 ("special"), as in training.
        if (casing && caseIds) extra[casing.input] = [...prefix, ...caseIds.slice(s, e), ...suffix];
        items.push({ ids: tokenizer.wrap(t.ids.slice(s, e), model.spec.maxLength), tokens: e - s, extra });
      }
    }
    const logits = await this.batcher.submitAll(items);
    let k = 0;
    const numLabels = labels.length;
    const viterbi = model.spec.decoding === 'bio-viterbi';
    return plans.map(({ t, windows }) => {
      const out: LabelledToken[] = [];
      const wordRows: ArrayLike<number>[] = [];
      const wordTokens: number[] = [];
      for (const [s, e] of windows) {
        const rows = logits[k++] as Float32Array;
        for (let i = s; i < e; i++) {
          const p = softmax(rows.subarray((i - s) * numLabels, (i - s + 1) * numLabels), temperatureOf(model.spec));
          const best = argmax(p);
          const a = t.aligned[i] as AlignedToken;
          if (viterbi && a.wordStart && a.offset) {
            wordRows.push(p);
            wordTokens.push(out.length);
          }
          out.push({ label: labels[best] as string, score: p[best] as number, offset: a.offset, wordStart: a.wordStart });
        }
      }
      if (viterbi) {
        // Words take their first piece's label: decode those under IOB2's constraint.
        viterbiBio(wordRows, labels).forEach((label, w) => {
          const token = out[wordTokens[w] as number] as LabelledToken;
          token.label = labels[label] as string;
          token.score = (wordRows[w] as ArrayLike<number>)[label] as number;
        });
      }
      return out;
    });
  }

  private async runBatch(items: WindowItem[]): Promise<Float32Array[]> {
    const model = await this.model.get();
    const tokenizer = model.tokenizer as NonNullable<LoadedModel['tokenizer']>;
    const extraNames = Object.keys(items[0]?.extra ?? {});
    const { feeds, seqLen } = buildTokenBatch(
      items.map((i) => i.ids),
      tokenizer.padId,
      model.session.inputs,
      Object.fromEntries(extraNames.map((name) => [name, items.map((i) => i.extra[name] ?? [])])),
    );
    const outputName = pickOutput(model, ['logits']);
    const result = await model.session.run(feeds, [outputName]);
    const data = floatData(result[outputName], outputName);
    const numLabels = data.length / (items.length * seqLen);
    const offset = tokenizer.prefixIds.length;
    // Keep only the rows of text tokens (drop [CLS], [SEP] and padding).
    return items.map((item, b) => data.slice((b * seqLen + offset) * numLabels, (b * seqLen + offset + item.tokens) * numLabels));
  }

  async close(): Promise<void> {
    await this.batcher.close();
  }
}
