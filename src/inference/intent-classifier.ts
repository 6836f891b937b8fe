import { crc32 } from 'node:zlib';
import { InferenceError } from './inference.errors.js';
import { NgramFeaturizer, type NgramFeaturizerOptions } from './ngram-features.js';
import { dot } from './tensor-math.js';
import { mulberry32, shuffleInPlace, SoftmaxHead, trainSoftmaxHead, type SoftmaxHeadOptions } from './softmax-head.js';

/**
 * Intent classification for a tenant's own intents, built at run time from `{ intent, examples }`.
 *
 * Examples are embedded once (the embedder caches by text) and a softmax head (softmax-head.ts) is
 * trained on the embedding plus TF-IDF word/character n-grams of each example (ngram-features.ts: the
 * embedding blurs the rare decisive words of an intent, the n-grams keep them; +0.6 points on held-out
 * train data of banking77 and clinc150). A prediction's confidence is the head's probability of the top
 * intent times the cosine similarity to that intent's nearest example: the probability alone says which
 * known intent fits best but stays high for a message far from all of them (softmax spreads over the
 * known intents only); the similarity says whether the message resembles anything the intent was
 * taught with. On held-out clinc150 *train* data (embedding-only head) the product separates
 * out-of-scope messages from correctly classified ones with AUROC 0.987, the probability alone 0.971.
 * A prediction is out of scope when its confidence is below a threshold τ.
 *
 * ## How the out-of-scope threshold is tuned (training data only, never dev)
 * 1. The examples of every intent are dealt into `folds` folds (seeded shuffle, round-robin, so each
 *    fold has the same intent mix). For each fold a head is trained on the other folds and scores the
 *    held-out examples: their confidence and whether the top intent is right. Out-of-scope
 *    examples, when given, are scored by the fold heads too (round-robin over folds).
 * 2. With out-of-scope examples, τ maximises the expected accuracy on traffic of which a share π
 *    (`expectedOosShare`, default 0.2) is out of scope: `(1 − π)·inScopeAccuracy(τ) + π·oosRecall(τ)`
 *    on the held-out scores, where an in-scope example counts as correct only if its top intent is
 *    right *and* its confidence ≥ τ (the two headline metrics of Larson et al., 2019). The prior matters
 *    because the examples themselves are no guide to the mix (clinc150 has 150× more in-scope examples
 *    than out-of-scope ones); π = 0.5 weighs both metrics equally.
 *    Without them, τ is the largest value that rejects at most `maxInScopeRejection` of the held-out
 *    in-scope examples (a false-rejection budget, like "TPR at 95%" in OOD detection).
 * 3. The final head is trained on all examples. It is a little more confident than the fold heads
 *    (more data), so τ errs towards accepting.
 * A single intent gets a nearest-example scorer (cosine to the closest example) instead of a head.
 *
 * ## Taught phrases
 * A message that *is* one of an intent's examples (compared after NFKC, lower case, punctuation and spacing
 * folded, and confirmed by its embedding: cosine ≥ {@link TAUGHT_MIN_COSINE}) is that intent, with
 * confidence 1, whatever the head says: a tenant who taught "where is my Quibbler order" expects exactly
 * that message to land there, even beside another intent's "Where is my order?". A phrase taught to two
 * intents is left to the head.
 *
 * A classifier is trained once (in a worker) and loaded by API processes: `serialize()` writes an exact
 * binary snapshot and `IntentClassifier.deserialize()` restores one that predicts bit-identically (the
 * format is described next to `encodeSnapshot` below).
 */

export interface IntentExamples {
  intent: string;
  examples: readonly string[];
}

export interface IntentPrediction {
  name: string;
  /** Top-intent probability × cosine to its nearest example, 0..1 (see the module doc). */
  confidence: number;
  /** True when `confidence` is below the tuned threshold. `name` is still the best in-scope guess. */
  outOfScope: boolean;
}

/** Examples and utterances are embedded as questions (`query`, see embedding.pipeline.ts). */
export interface Embedder {
  embed(texts: readonly string[], role: 'query'): Promise<Float32Array[]>;
}

export interface IntentClassifierOptions {
  /** Utterances the tenant does not handle; used only to tune the out-of-scope threshold. */
  outOfScopeExamples?: readonly string[];
  /** Without out-of-scope examples: largest share of held-out in-scope examples τ may reject. Default 0.05. */
  maxInScopeRejection?: number;
  /** Expected share of out-of-scope messages in real traffic (step 2 above). Default 0.2. */
  expectedOosShare?: number;
  /** Folds for tuning τ (≥ 2). Default 3. */
  folds?: number;
  /** Use this threshold instead of tuning one. */
  threshold?: number;
  /** Training options of the softmax head. */
  head?: SoftmaxHeadOptions;
  /** Word/character n-gram TF-IDF features next to the embedding (ngram-features.ts); `false` turns them off. Default on. */
  lexical?: boolean | NgramFeaturizerOptions;
  /** Seed for fold assignment. Default 7. */
  seed?: number;
}

export interface HeldOutScore {
  confidence: number;
  correct: boolean;
}

export interface ThresholdTuning {
  method: 'fixed' | 'expected-accuracy' | 'in-scope-rejection-budget';
  threshold: number;
  folds: number;
  heldOutInScope: number;
  heldOutOutOfScope: number;
  /** On the held-out scores at the chosen τ. */
  inScopeAccuracy: number;
  oosRecall: number | null;
  inScopeRejection: number;
}

/** Picks τ from held-out scores (step 2 of the procedure above). Pure; exported for tests. */
export function chooseThreshold(
  inScope: readonly HeldOutScore[],
  outOfScope: readonly number[],
  options: { maxInScopeRejection?: number; expectedOosShare?: number } = {},
): Omit<ThresholdTuning, 'folds'> {
  const maxInScopeRejection = options.maxInScopeRejection ?? 0.05;
  const share = Math.min(1, Math.max(0, options.expectedOosShare ?? 0.2));
  const nIn = inScope.length;
  const nOut = outOfScope.length;
  const evaluate = (t: number): { acc: number; recall: number | null; rejection: number } => {
    let correct = 0;
    let rejected = 0;
    for (const s of inScope) {
      if (s.confidence < t) rejected++;
      else if (s.correct) correct++;
    }
    let caught = 0;
    for (const c of outOfScope) if (c < t) caught++;
    return { acc: nIn ? correct / nIn : 0, recall: nOut ? caught / nOut : null, rejection: nIn ? rejected / nIn : 0 };
  };
  const result = (method: ThresholdTuning['method'], threshold: number) => {
    const e = evaluate(threshold);
    return { method, threshold, heldOutInScope: nIn, heldOutOutOfScope: nOut, inScopeAccuracy: e.acc, oosRecall: e.recall, inScopeRejection: e.rejection };
  };
  if (nIn === 0) return result('in-scope-rejection-budget', 0);
  if (nOut > 0) {
    // Candidate thresholds: every distinct score (a threshold just above a score rejects it).
    const candidates = [...new Set([0, ...inScope.map((s) => s.confidence), ...outOfScope.map((c) => c + 1e-9)])].sort((a, b) => a - b);
    let best = 0;
    let bestValue = -Infinity;
    for (const t of candidates) {
      const e = evaluate(t);
      const value = (1 - share) * e.acc + share * (e.recall ?? 0);
      // Ties go to the lower threshold (fewer in-scope rejections).
      if (value > bestValue + 1e-12) {
        bestValue = value;
        best = t;
      }
    }
    return result('expected-accuracy', best);
  }
  const sorted = inScope.map((s) => s.confidence).sort((a, b) => a - b);
  const allowed = Math.floor(maxInScopeRejection * nIn);
  // Rejecting the `allowed` lowest scores: τ = the (allowed)-th smallest score (strict `<` keeps it).
  return result('in-scope-rejection-budget', allowed > 0 ? (sorted[allowed] as number) : 0);
}

/** Cosine a message must have to the example it matches by text (an identical text embeds to ~1.0). */
export const TAUGHT_MIN_COSINE = 0.98;

/** The text key of an example or message: NFKC, lower case, punctuation and spacing folded. */
export function taughtKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}]+/gu, ' ').trim();
}

/** 32-bit FNV-1a of {@link taughtKey}, as stored in a snapshot's `examples.textHash` section. */
export function taughtHash(text: string): number {
  const key = taughtKey(text);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

interface Scorer {
  /** Index of the best intent and its confidence. */
  score(vector: Float32Array, text: string): { index: number; confidence: number };
}

/** Head probability of the top intent × cosine to that intent's nearest example (see the module doc). */
class HeadScorer implements Scorer {
  private readonly byClass: Float32Array[][];
  constructor(
    readonly head: SoftmaxHead,
    readonly lexical: NgramFeaturizer | null,
    readonly vectors: readonly Float32Array[],
    readonly labels: readonly number[],
  ) {
    this.byClass = Array.from({ length: head.numClasses }, () => []);
    vectors.forEach((v, i) => this.byClass[labels[i] as number]?.push(v));
  }
  score(vector: Float32Array, text: string): { index: number; confidence: number } {
    const p = this.head.predictProba(vector, this.lexical?.transform(text));
    let index = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[index] as number)) index = k;
    let similarity = 0;
    for (const e of this.byClass[index] ?? []) similarity = Math.max(similarity, dot(e, vector));
    return { index, confidence: (p[index] as number) * Math.min(1, similarity) };
  }
}

class NearestExampleScorer implements Scorer {
  constructor(
    readonly vectors: readonly Float32Array[],
    readonly labels: readonly number[],
  ) {}
  score(vector: Float32Array): { index: number; confidence: number } {
    let best = -Infinity;
    let index = 0;
    this.vectors.forEach((v, i) => {
      const s = dot(v, vector);
      if (s > best) {
        best = s;
        index = this.labels[i] as number;
      }
    });
    return { index, confidence: Math.max(0, Math.min(1, best)) };
  }
}

interface Examples {
  vectors: readonly Float32Array[];
  texts: readonly string[];
  labels: readonly number[];
}

function buildScorer(examples: Examples, numClasses: number, options: IntentClassifierOptions): HeadScorer | NearestExampleScorer {
  const { vectors, texts, labels } = examples;
  if (numClasses < 2) return new NearestExampleScorer(vectors, labels);
  const lexical = options.lexical === false ? null : NgramFeaturizer.fit(texts, options.lexical === true ? {} : options.lexical);
  const sparse = lexical ? { vectors: texts.map((t) => lexical.transform(t)), dim: lexical.dim } : undefined;
  return new HeadScorer(trainSoftmaxHead(vectors, labels, numClasses, options.head, sparse), lexical, vectors, labels);
}

export class IntentClassifier {
  private constructor(
    private readonly embedder: Embedder,
    /** Intent names, in head-output order. */
    readonly intents: readonly string[],
    private readonly scorer: HeadScorer | NearestExampleScorer,
    readonly tuning: ThresholdTuning,
    /** {@link taughtHash} of every example, in the scorer's example order (null: a snapshot from before 2026-12-03). */
    private readonly textHashes: Int32Array | null,
  ) {
    if (textHashes) {
      textHashes.forEach((h, i) => {
        const at = this.taught.get(h);
        if (at) at.push(i);
        else this.taught.set(h, [i]);
      });
    }
  }

  /** Example indices by text hash (see "Taught phrases"). */
  private readonly taught = new Map<number, number[]>();

  get threshold(): number {
    return this.tuning.threshold;
  }

  static async build(embedder: Embedder, definitions: readonly IntentExamples[], options: IntentClassifierOptions = {}): Promise<IntentClassifier> {
    // Merge duplicate intent names, drop empty and repeated examples.
    const byIntent = new Map<string, Set<string>>();
    for (const d of definitions) {
      const set = byIntent.get(d.intent) ?? new Set<string>();
      for (const e of d.examples) {
        const t = e.trim();
        if (t.length > 0) set.add(t);
      }
      byIntent.set(d.intent, set);
    }
    const intents = [...byIntent.entries()].filter(([, ex]) => ex.size > 0).map(([name]) => name);
    if (intents.length === 0) throw new Error('An intent classifier needs at least one intent with an example');
    const texts: string[] = [];
    const labels: number[] = [];
    intents.forEach((name, k) => {
      for (const e of byIntent.get(name) as Set<string>) {
        texts.push(e);
        labels.push(k);
      }
    });
    const oosTexts = [...new Set((options.outOfScopeExamples ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
    const [vectors, oosVectors] = await Promise.all([embedder.embed(texts, 'query'), oosTexts.length > 0 ? embedder.embed(oosTexts, 'query') : Promise.resolve([])]);

    const scorer = buildScorer({ vectors, texts, labels }, intents.length, options);
    let tuning: ThresholdTuning;
    if (options.threshold !== undefined) {
      tuning = {
        method: 'fixed',
        threshold: options.threshold,
        folds: 0,
        heldOutInScope: 0,
        heldOutOutOfScope: 0,
        inScopeAccuracy: Number.NaN,
        oosRecall: null,
        inScopeRejection: Number.NaN,
      };
    } else {
      const folds = Math.max(2, Math.floor(options.folds ?? 3));
      const { inScope, outOfScope } = crossValidate({ vectors, texts, labels }, intents.length, { vectors: oosVectors, texts: oosTexts }, folds, options);
      tuning = { ...chooseThreshold(inScope, outOfScope, options), folds };
    }
    return new IntentClassifier(embedder, intents, scorer, tuning, Int32Array.from(texts, taughtHash));
  }

  async predict(text: string): Promise<IntentPrediction> {
    const [p] = await this.predictBatch([text]);
    return p as IntentPrediction;
  }

  async predictBatch(texts: readonly string[]): Promise<IntentPrediction[]> {
    const vectors = await this.embedder.embed(texts, 'query');
    return vectors.map((v, i) => this.predictEmbedded(texts[i] as string, v));
  }

  /** Prediction for a text already embedded (with the embedding model of the examples). */
  predictEmbedded(text: string, vector: Float32Array): IntentPrediction {
    const taught = this.taughtIntent(text, vector);
    if (taught !== null) return { name: this.intents[taught] as string, confidence: 1, outOfScope: false };
    const { index, confidence } = this.scorer.score(vector, text);
    return { name: this.intents[index] as string, confidence, outOfScope: confidence < this.tuning.threshold };
  }

  /** The intent `text` was taught to word for word, or null (none, or more than one). */
  private taughtIntent(text: string, vector: Float32Array): number | null {
    const at = taughtKey(text).length > 0 ? this.taught.get(taughtHash(text)) : undefined;
    if (!at) return null;
    let label: number | null = null;
    for (const i of at) {
      // The hash picks candidates; the embedding confirms the text (a 32-bit hash can collide).
      if (dot(this.scorer.vectors[i] as Float32Array, vector) < TAUGHT_MIN_COSINE) continue;
      const l = this.scorer.labels[i] as number;
      if (label !== null && label !== l) return null;
      label = l;
    }
    return label;
  }

  /** An exact binary snapshot of everything a prediction needs (not the embedder). */
  serialize(): Buffer {
    return encodeSnapshot(this.intents, this.tuning, this.scorer, this.textHashes);
  }

  /**
   * Restores a `serialize()`d classifier; `embedder` must be the embedding model it was built with.
   * Throws `IntentSnapshotError` for anything but a complete, intact snapshot of a version this build reads.
   */
  static deserialize(buffer: Buffer, embedder: Embedder): IntentClassifier {
    const { intents, tuning, scorer, textHashes } = decodeSnapshot(buffer);
    return new IntentClassifier(embedder, intents, scorer, tuning, textHashes);
  }
}

/** Held-out scores from `folds`-fold cross-validation (step 1 of the procedure). */
function crossValidate(
  examples: Examples,
  numClasses: number,
  oos: { vectors: readonly Float32Array[]; texts: readonly string[] },
  folds: number,
  options: IntentClassifierOptions,
): { inScope: HeldOutScore[]; outOfScope: number[] } {
  const { vectors, texts, labels } = examples;
  const random = mulberry32(options.seed ?? 7);
  const fold = new Int32Array(vectors.length).fill(-1);
  const perClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => perClass[y]?.push(i));
  for (const members of perClass) {
    // An intent with a single example cannot be held out (its fold head would not know it).
    if (members.length < 2) continue;
    shuffleInPlace(members, random).forEach((i, r) => {
      fold[i] = r % folds;
    });
  }
  const inScope: HeldOutScore[] = [];
  const outOfScope: number[] = [];
  for (let f = 0; f < folds; f++) {
    const trainX: Float32Array[] = [];
    const trainT: string[] = [];
    const trainY: number[] = [];
    const testIdx: number[] = [];
    vectors.forEach((v, i) => {
      if (fold[i] === f) testIdx.push(i);
      else {
        trainX.push(v);
        trainT.push(texts[i] as string);
        trainY.push(labels[i] as number);
      }
    });
    if (testIdx.length === 0) continue;
    // Remap to the classes present in this fold's training data.
    const present = [...new Set(trainY)].sort((a, b) => a - b);
    const remap = new Map(present.map((c, k) => [c, k]));
    const scorer = buildScorer({ vectors: trainX, texts: trainT, labels: trainY.map((y) => remap.get(y) as number) }, present.length, options);
    for (const i of testIdx) {
      const { index, confidence } = scorer.score(vectors[i] as Float32Array, texts[i] as string);
      inScope.push({ confidence, correct: present[index] === labels[i] });
    }
    oos.vectors.forEach((v, j) => {
      if (j % folds === f) outOfScope.push(scorer.score(v, oos.texts[j] as string).confidence);
    });
  }
  return { inScope, outOfScope };
}

/** A buffer that is not a complete, intact intent-classifier snapshot of a version this build reads. */
export class IntentSnapshotError extends InferenceError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('INTENT_SNAPSHOT_INVALID', `Invalid intent classifier snapshot: ${detail}`, options);
  }
}

const SNAPSHOT_MAGIC = 'AGINTENT';
const SNAPSHOT_VERSION = 1;
/** Magic (8 bytes), then u32 version, CRC-32, total bytes, header bytes. */
const PRELUDE_BYTES = 24;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

type SectionType = 'f32' | 'i32';
type Section = [name: string, type: SectionType, length: number];

/** JSON has no NaN, ±Infinity or -0 (a fixed threshold leaves NaN in the tuning): those travel as strings. */
function encodeNumber(x: number): number | string {
  if (Object.is(x, -0)) return '-0';
  return Number.isFinite(x) ? x : String(x);
}

function decodeNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity' || value === '-0') return Number(value);
  throw new IntentSnapshotError(`${what} is not a number`);
}

function writeArray(out: Buffer, offset: number, a: Float32Array | Int32Array): number {
  if (LITTLE_ENDIAN) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
  else {
    const view = new DataView(out.buffer, out.byteOffset + offset, a.byteLength);
    for (let i = 0; i < a.length; i++) {
      if (a instanceof Float32Array) view.setFloat32(4 * i, a[i] as number, true);
      else view.setInt32(4 * i, a[i] as number, true);
    }
  }
  return offset + a.byteLength;
}

/** A fresh, aligned copy: the caller's buffer may be unaligned, pooled or reused. */
function readArray(buffer: Buffer, offset: number, type: SectionType, length: number): Float32Array | Int32Array {
  const out = type === 'f32' ? new Float32Array(length) : new Int32Array(length);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buffer.subarray(offset, offset + 4 * length));
  else {
    const view = new DataView(buffer.buffer, buffer.byteOffset + offset, 4 * length);
    for (let i = 0; i < length; i++) out[i] = type === 'f32' ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true);
  }
  return out;
}

/**
 * Snapshot format, version 1 (integers little-endian):
 *   "AGINTENT" | u32 version | u32 CRC-32 of every byte after this field | u32 total bytes | u32 header bytes
 *   | JSON header (UTF-8, space-padded to a multiple of 4) | sections, back to back.
 * The header has the intent names, the tuning, the scorer's shape and the n-gram vocabulary, and lists the
 * sections as [name, type, length]; a section is the raw little-endian bytes of a Float32Array or Int32Array
 * (exact, 4 bytes a float). `examples.textHash` (one i32 per example, see "Taught phrases") is optional:
 * snapshots written before it existed load without it. The CRC rejects a corrupted snapshot before anything is built: a flipped weight
 * would otherwise only show as wrong predictions.
 */
function encodeSnapshot(intents: readonly string[], tuning: ThresholdTuning, scorer: HeadScorer | NearestExampleScorer, textHashes: Int32Array | null): Buffer {
  const { vectors, labels } = scorer;
  const dim = vectors[0]?.length ?? 0;
  if (vectors.some((v) => v.length !== dim)) throw new Error('Cannot snapshot an intent classifier whose example vectors differ in length');
  const sections: [string, SectionType, Float32Array | Int32Array | readonly Float32Array[]][] = [
    ['vectors', 'f32', vectors],
    ['labels', 'i32', Int32Array.from(labels)],
  ];
  if (textHashes) sections.push(['examples.textHash', 'i32', textHashes]);
  let head: { numClasses: number; dim: number; sparseDim: number } | null = null;
  let lexical: { vocabulary: readonly string[]; scale: number | string } | null = null;
  if (scorer instanceof HeadScorer) {
    const h = scorer.head;
    head = { numClasses: h.numClasses, dim: h.dim, sparseDim: h.sparseDim };
    sections.push(
      ['head.weights', 'f32', h.weights],
      ['head.bias', 'f32', h.bias],
      ['head.mean', 'f32', h.mean],
      ['head.invStd', 'f32', h.invStd],
      ['head.sparseWeights', 'f32', h.sparseWeights],
    );
    if (scorer.lexical) {
      const state = scorer.lexical.state();
      lexical = { vocabulary: state.vocabulary, scale: encodeNumber(state.scale) };
      sections.push(['lexical.idf', 'f32', state.idf]);
    }
  }
  const isTyped = (d: Float32Array | Int32Array | readonly Float32Array[]): d is Float32Array | Int32Array => d instanceof Float32Array || d instanceof Int32Array;
  const layout: Section[] = sections.map(([name, type, data]) => [name, type, isTyped(data) ? data.length : data.length * dim]);
  const json = JSON.stringify({
    intents,
    // Fixed key order: the same classifier always gives the same bytes.
    tuning: {
      method: tuning.method,
      threshold: encodeNumber(tuning.threshold),
      folds: encodeNumber(tuning.folds),
      heldOutInScope: encodeNumber(tuning.heldOutInScope),
      heldOutOutOfScope: encodeNumber(tuning.heldOutOutOfScope),
      inScopeAccuracy: encodeNumber(tuning.inScopeAccuracy),
      oosRecall: tuning.oosRecall === null ? null : encodeNumber(tuning.oosRecall),
      inScopeRejection: encodeNumber(tuning.inScopeRejection),
    },
    scorer: head ? 'head' : 'nearest-example',
    examples: vectors.length,
    dim,
    head,
    lexical,
    sections: layout,
  });
  const headerBytes = Math.ceil(Buffer.byteLength(json) / 4) * 4;
  const total = PRELUDE_BYTES + headerBytes + layout.reduce((sum, [, , length]) => sum + 4 * length, 0);
  if (total > 0xffffffff) throw new Error(`Intent classifier snapshot would be ${total} bytes, over the 4 GiB the format addresses`);
  const out = Buffer.alloc(total);
  out.write(SNAPSHOT_MAGIC, 0, 'latin1');
  out.writeUInt32LE(SNAPSHOT_VERSION, 8);
  out.writeUInt32LE(total, 16);
  out.writeUInt32LE(headerBytes, 20);
  const written = out.write(json, PRELUDE_BYTES, 'utf8');
  out.fill(0x20, PRELUDE_BYTES + written, PRELUDE_BYTES + headerBytes);
  let offset = PRELUDE_BYTES + headerBytes;
  for (const [, , data] of sections) {
    if (isTyped(data)) offset = writeArray(out, offset, data);
    else for (const v of data) offset = writeArray(out, offset, v);
  }
  out.writeUInt32LE(crc32(out.subarray(16)), 12);
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TUNING_METHODS: readonly string[] = ['fixed', 'expected-accuracy', 'in-scope-rejection-budget'] satisfies ThresholdTuning['method'][];

interface DecodedSnapshot {
  intents: string[];
  tuning: ThresholdTuning;
  scorer: HeadScorer | NearestExampleScorer;
  textHashes: Int32Array | null;
}

function decodeSnapshot(buffer: Buffer): DecodedSnapshot {
  const seen = Math.min(buffer.length, SNAPSHOT_MAGIC.length);
  if (buffer.toString('latin1', 0, seen) !== SNAPSHOT_MAGIC.slice(0, seen)) {
    throw new IntentSnapshotError(`it does not start with "${SNAPSHOT_MAGIC}" (not a snapshot written by IntentClassifier.serialize)`);
  }
  if (buffer.length < PRELUDE_BYTES) throw new IntentSnapshotError(`truncated: ${buffer.length} bytes, less than the ${PRELUDE_BYTES}-byte prelude`);
  const version = buffer.readUInt32LE(8);
  if (version !== SNAPSHOT_VERSION) throw new IntentSnapshotError(`format version ${version}, this build reads version ${SNAPSHOT_VERSION}; rebuild the classifier`);
  const total = buffer.readUInt32LE(16);
  if (buffer.length < total) throw new IntentSnapshotError(`truncated: ${buffer.length} of ${total} bytes`);
  if (buffer.length > total) throw new IntentSnapshotError(`${buffer.length - total} unexpected bytes after the ${total}-byte snapshot`);
  if (crc32(buffer.subarray(16)) !== buffer.readUInt32LE(12)) throw new IntentSnapshotError('checksum mismatch (the bytes are corrupted)');
  const headerBytes = buffer.readUInt32LE(20);
  if (headerBytes > total - PRELUDE_BYTES) throw new IntentSnapshotError(`header of ${headerBytes} bytes does not fit in ${total} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(buffer.toString('utf8', PRELUDE_BYTES, PRELUDE_BYTES + headerBytes));
  } catch (error) {
    throw new IntentSnapshotError('the header is not valid JSON', { cause: error });
  }
  try {
    return buildFromSnapshot(header, buffer, PRELUDE_BYTES + headerBytes);
  } catch (error) {
    if (error instanceof IntentSnapshotError) throw error;
    throw new IntentSnapshotError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function buildFromSnapshot(header: unknown, buffer: Buffer, payloadStart: number): DecodedSnapshot {
  const fail = (detail: string): never => {
    throw new IntentSnapshotError(detail);
  };
  const count = (value: unknown, what: string): number => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : fail(`${what} is not a count`));
  if (!isRecord(header)) return fail('the header is not an object');

  const sections = new Map<string, { type: SectionType; length: number; offset: number }>();
  let offset = payloadStart;
  if (!Array.isArray(header.sections)) fail('the header lists no sections');
  for (const s of header.sections as unknown[]) {
    if (!Array.isArray(s) || typeof s[0] !== 'string' || (s[1] !== 'f32' && s[1] !== 'i32')) return fail('a section entry is malformed');
    const length = count(s[2], `section ${s[0]} length`);
    if (sections.has(s[0])) fail(`section ${s[0]} appears twice`);
    sections.set(s[0], { type: s[1], length, offset });
    offset += 4 * length;
  }
  if (offset !== buffer.length) fail(`the sections take ${offset - payloadStart} bytes, the snapshot has ${buffer.length - payloadStart}`);
  const take = (name: string, type: SectionType, length: number): Float32Array | Int32Array => {
    const s = sections.get(name) ?? fail(`section ${name} is missing`);
    if (s.type !== type || s.length !== length) fail(`section ${name} is ${s.length} × ${s.type}, expected ${length} × ${type}`);
    return readArray(buffer, s.offset, type, length);
  };
  const floats = (name: string, length: number): Float32Array => take(name, 'f32', length) as Float32Array;

  const intents = header.intents;
  if (!Array.isArray(intents) || intents.length === 0 || !intents.every((n) => typeof n === 'string')) return fail('intents are not a non-empty list of names');
  const t = header.tuning;
  if (!isRecord(t) || typeof t.method !== 'string' || !TUNING_METHODS.includes(t.method)) return fail('tuning is missing or has an unknown method');
  const num = (key: keyof ThresholdTuning): number => decodeNumber(t[key], `tuning.${key}`);
  const tuning: ThresholdTuning = {
    method: t.method as ThresholdTuning['method'],
    threshold: num('threshold'),
    folds: num('folds'),
    heldOutInScope: num('heldOutInScope'),
    heldOutOutOfScope: num('heldOutOutOfScope'),
    inScopeAccuracy: num('inScopeAccuracy'),
    oosRecall: t.oosRecall === null ? null : num('oosRecall'),
    inScopeRejection: num('inScopeRejection'),
  };

  const examples = count(header.examples, 'examples');
  const dim = count(header.dim, 'dim');
  if (examples === 0) fail('there are no example vectors');
  const all = floats('vectors', examples * dim);
  const vectors = Array.from({ length: examples }, (_, i) => all.subarray(i * dim, (i + 1) * dim));
  const labels = Array.from(take('labels', 'i32', examples));
  if (labels.some((y) => y < 0 || y >= intents.length)) fail(`an example label is outside the ${intents.length} intents`);
  const textHashes = sections.has('examples.textHash') ? (take('examples.textHash', 'i32', examples) as Int32Array) : null;
  if (header.scorer === 'nearest-example') return { intents, tuning, scorer: new NearestExampleScorer(vectors, labels), textHashes };
  if (header.scorer !== 'head') return fail(`unknown scorer ${JSON.stringify(header.scorer)}`);

  const h = header.head;
  if (!isRecord(h)) return fail('the head scorer has no head');
  const c = count(h.numClasses, 'head.numClasses');
  const d = count(h.dim, 'head.dim');
  const sparseDim = count(h.sparseDim, 'head.sparseDim');
  if (c !== intents.length) fail(`the head has ${c} classes for ${intents.length} intents`);
  let lexical: NgramFeaturizer | null = null;
  const lx = header.lexical;
  if (lx !== null) {
    if (!isRecord(lx) || !Array.isArray(lx.vocabulary) || !lx.vocabulary.every((g) => typeof g === 'string')) return fail('the n-gram vocabulary is malformed');
    const vocabulary = lx.vocabulary;
    lexical = NgramFeaturizer.fromState({ vocabulary, idf: floats('lexical.idf', vocabulary.length), scale: decodeNumber(lx.scale, 'lexical.scale') });
  }
  if (sparseDim !== (lexical?.dim ?? 0)) fail(`the head has ${sparseDim} sparse features, the n-gram vocabulary ${lexical?.dim ?? 0}`);
  const softmaxHead = new SoftmaxHead(
    c,
    d,
    floats('head.weights', c * d),
    floats('head.bias', c),
    floats('head.mean', d),
    floats('head.invStd', d),
    sparseDim,
    floats('head.sparseWeights', sparseDim * c),
  );
  return { intents, tuning, scorer: new HeadScorer(softmaxHead, lexical, vectors, labels), textHashes };
}
