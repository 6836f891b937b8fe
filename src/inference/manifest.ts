import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelsManifestInvalidError, ModelsManifestMissingError } from './inference.errors.js';

/**
 * `<modelsDir>/manifest.json`, written by `npm run models` (training/). The contract is in
 * docs/design.md § Models; fields we do not use are kept (`passthrough`) so that the trainer can add
 * metadata without breaking older readers.
 */
export const MODEL_TASKS = ['embedding', 'token-classification', 'text-classification'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/iu, 'sha256 must be 64 hex digits');

export const modelSpecSchema = z
  .object({
    name: z.string().min(1),
    task: z.enum(MODEL_TASKS),
    /** Directory of the model, relative to the models dir. */
    dir: z.string().min(1),
    /** Role → file name inside `dir`; `model` is required, `tokenizer` etc. optional. */
    files: z.object({ model: z.string().min(1) }).catchall(z.string().min(1)),
    /** File name (as in `files` values, or a path relative to `dir`) → sha256 hex. */
    sha256: z.record(z.string(), sha256Hex),
    /** Output classes in index order (classification tasks). */
    labels: z.array(z.string()).optional(),
    maxLength: z.number().int().positive(),
    pooling: z.string().optional(),
    languages: z.array(z.string()).default([]),
    metrics: z.record(z.string(), z.unknown()).optional(),
    recipeHash: z.string().optional(),
    /**
     * What the graph takes: `tokens` (input_ids/attention_mask[/token_type_ids], the default) or `text`
     * (a string tensor, e.g. an skl2onnx pipeline that tokenizes inside the graph).
     */
    inputKind: z.enum(['tokens', 'text']).optional(),
    /** Alias of `inputKind`. */
    input: z.enum(['tokens', 'text']).optional(),
    /** Softmax temperature fitted on held-out data (logits are divided by it); see also `calibration`. */
    temperature: z.number().positive().optional(),
    /** Calibration fitted by the trainer: `{ temperature, fittedOn }`. */
    calibration: z.object({ temperature: z.number().positive().optional() }).passthrough().optional(),
    /** What a classifier outputs: `logits` (softmax applied here) or `probabilities`. */
    scoreKind: z.enum(['logits', 'probabilities']).optional(),
    /** Alias of `scoreKind: probabilities`. */
    outputsProbabilities: z.boolean().optional(),
    /** Unit of `maxLength`: `tokens` (default) or `chars` (text-input models; longer texts are cut). */
    maxLengthUnit: z.enum(['tokens', 'chars']).optional(),
    /** Name of the graph output to read; default: the first output. */
    output: z.string().optional(),
    normalize: z.boolean().optional(),
    /**
     * Embedding models trained with instruction prefixes (E5: `query: ` / `passage: `): prepended to a
     * question (`query`) or to a stored item or passage (`passage`) before tokenizing. None: no prefix.
     */
    queryPrefix: z.string().optional(),
    passagePrefix: z.string().optional(),
    /** Casing feature of uncased NER models: the input that takes it and its classes (casing.ts). */
    casing: z.object({ input: z.string().min(1), classes: z.array(z.string()) }).passthrough().optional(),
    /**
     * How a token-classification model's text is cut before its tokenizer runs. `cjk-chars`: every CJK
     * ideograph, punctuation mark and symbol alone, other non-space runs whole (tokenizer.ts
     * `segmentCjkChars`; training/train_ner_zh.py is the reference), so entity boundaries fall between pieces.
     * None: the tokenizer's own pre-tokenization.
     */
    segmentation: z.enum(['cjk-chars']).optional(),
    /**
     * A classifier that also reads a sentence embedding (a head on an encoder pass the caller makes anyway):
     * the graph input `input` takes `model`'s embedding of the text as `role` ([batch, dimension]).
     */
    embeddingInput: z
      .object({ model: z.string().min(1), role: z.enum(['query', 'passage']), input: z.string().min(1), dimension: z.number().int().positive() })
      .passthrough()
      .optional(),
    /** How word labels are read: `bio-viterbi` (entity-aggregation.ts `viterbiBio`) or argmax per word (default). */
    decoding: z.enum(['argmax', 'bio-viterbi']).optional(),
  })
  .passthrough();

export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** The softmax temperature of a classifier (1 when the manifest has none). */
export function temperatureOf(spec: ModelSpec): number {
  return spec.temperature ?? spec.calibration?.temperature ?? 1;
}

export const manifestSchema = z
  .object({
    models: z.array(modelSpecSchema),
  })
  .passthrough();

export type ModelsManifest = z.infer<typeof manifestSchema>;

/** Reads and validates the manifest. Throws {@link ModelsManifestMissingError} / {@link ModelsManifestInvalidError}. */
export async function readManifest(modelsDir: string): Promise<ModelsManifest> {
  const manifestPath = path.join(modelsDir, 'manifest.json');
  let raw: string;
  try {
    raw = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelsManifestMissingError(manifestPath);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ModelsManifestInvalidError(manifestPath, `not JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '<root>'}: ${i.message}`)
      .join('; ');
    throw new ModelsManifestInvalidError(manifestPath, detail);
  }
  const names = new Set<string>();
  for (const m of parsed.data.models) {
    if (names.has(m.name)) throw new ModelsManifestInvalidError(manifestPath, `model "${m.name}" listed twice`);
    names.add(m.name);
  }
  return parsed.data;
}
