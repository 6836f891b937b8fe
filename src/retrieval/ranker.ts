/**
 * The learned ranker of hybrid retrieval: a logistic regression over per-candidate features (cosine,
 * fulltext score, rank in each list, lexical and character overlap, entity overlap, intent agreement),
 * fitted per language and per embedding model by `npm run eval:answers -- --fit-ranker` on the dev
 * sets (BankFAQ for English, ATEC for Chinese) and shipped in `ranker-weights.json` with how it was
 * fitted. Its score ranks the candidates; a second, two-feature logistic regression (Platt scaling of
 * the top score and its lead over the runner-up) turns it into the probability that the item is the
 * right answer — the confidence `answer` reports and escalates on.
 *
 * Pure and dependency-free: fitting is batch gradient descent on standardised features with an L2
 * penalty (a few thousand rows, tens of features: milliseconds).
 */

export const FEATURES = [
  /** Cosine of question and item (−1..1), 0 without one. */
  'cosine',
  /** Cosine minus the best cosine among the candidates (≤ 0). */
  'cosineGap',
  /** 1 / rank in the vector list, 0 when the vector search did not find it. */
  'vectorRR',
  /** Fulltext (BM25) score over the best fulltext score of the query (0..1). */
  'bm25',
  /** 1 / rank in the fulltext list. */
  'textRR',
  /** Share of the question's content words (Chinese: character bigrams) in the item. */
  'coverage',
  /** Share of the question's distinct Han characters in the item (0 for text without Han). */
  'charCoverage',
  /** Item ABOUT an entity the question names (graph list weight over its maximum). */
  'graph',
  /** Item derived from a matching document passage. */
  'chunk',
  /** Item answers the intent predicted for the question. */
  'intent',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface LogisticModel {
  /** Feature names, in the order of `weights`, `mean` and `scale`. */
  features: string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

/** A fitted ranker for one language: the ranking model, its calibration, and how both were fitted. */
export interface RankerModel {
  ranker: LogisticModel;
  /** Platt scaling: P(right) = σ(a·score + b·lead + c), `lead` = score − best other score. */
  calibration: { a: number; b: number; c: number };
  /**
   * Weights not learnt from the dev sets because they never exercise the feature (no entities, no
   * intents there): added to the standardised score as they are. Say why in `fitted.notes`.
   */
  fixed?: Partial<Record<Feature, number>>;
  fitted?: Record<string, unknown>;
}

export interface RankerWeightsFile {
  /** Embedding model → language → ranker. A model without an entry is ranked by convex fusion. */
  models: Record<string, Record<string, RankerModel>>;
  notes?: string;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The raw linear score of one feature vector (its features in `model.features` order). */
export function linearScore(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += (model.weights[j] as number) * (((x[j] ?? 0) - (model.mean[j] as number)) / (model.scale[j] as number));
  return z;
}

/** Score of a candidate under a ranker: the learnt linear score plus the fixed weights. */
export function rankerScore(model: RankerModel, features: Readonly<Record<string, number>>): number {
  const x = model.ranker.features.map((f) => features[f] ?? 0);
  let z = linearScore(model.ranker, x);
  for (const [name, w] of Object.entries(model.fixed ?? {})) z += (w ?? 0) * (features[name] ?? 0);
  return z;
}

/** Calibrated probability that a candidate with this score and this lead over the best other one is right. */
export function calibrated(model: RankerModel, score: number, lead: number): number {
  const { a, b, c } = model.calibration;
  return sigmoid(a * score + b * lead + c);
}

export interface FitOptions {
  /** L2 penalty on the (standardised) weights. Default 1e-3. */
  l2?: number;
  /** Gradient steps. Default 400. */
  iterations?: number;
  /** Step size. Default 0.5. */
  rate?: number;
  /** Weight of positive rows (rare in ranking data). Default: negatives / positives, at most 20. */
  positiveWeight?: number;
}

/**
 * Logistic regression by batch gradient descent on standardised features. Deterministic (starts from
 * zero). Returns the weights in the original feature order with the standardisation used.
 */
export function fitLogistic(features: readonly string[], rows: readonly (readonly number[])[], labels: readonly number[], options: FitOptions = {}): LogisticModel {
  const n = rows.length;
  const d = features.length;
  if (n === 0) return { features: [...features], mean: Array(d).fill(0), scale: Array(d).fill(1), weights: Array(d).fill(0), bias: 0 };
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + (r[j] ?? 0), 0) / n);
  const scale = Array.from({ length: d }, (_, j) => {
    const v = rows.reduce((s, r) => s + ((r[j] ?? 0) - (mean[j] as number)) ** 2, 0) / n;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  const X = rows.map((r) => Array.from({ length: d }, (_, j) => ((r[j] ?? 0) - (mean[j] as number)) / (scale[j] as number)));
  const positives = labels.filter((y) => y > 0.5).length;
  const pw = options.positiveWeight ?? (positives > 0 ? Math.min(20, Math.max(1, (n - positives) / positives)) : 1);
  const l2 = options.l2 ?? 1e-3;
  const rate = options.rate ?? 0.5;
  const w = Array<number>(d).fill(0);
  let b = 0;
  const totalWeight = labels.reduce((s, y) => s + (y > 0.5 ? pw : 1), 0);
  for (let it = 0; it < (options.iterations ?? 400); it++) {
    const gw = Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const xi = X[i] as number[];
      let z = b;
      for (let j = 0; j < d; j++) z += (w[j] as number) * (xi[j] as number);
      const y = labels[i] as number;
      const weight = y > 0.5 ? pw : 1;
      const err = (sigmoid(z) - y) * weight;
      for (let j = 0; j < d; j++) gw[j] = (gw[j] as number) + err * (xi[j] as number);
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j] = (w[j] as number) - rate * ((gw[j] as number) / totalWeight + l2 * (w[j] as number));
    b -= rate * (gb / totalWeight);
  }
  return { features: [...features], mean, scale, weights: w, bias: b };
}

/** One question's candidates as the fitter sees them. */
export interface RankingGroup {
  /** Features of each candidate. */
  candidates: ReadonlyArray<Readonly<Record<string, number>>>;
  /** Index of the right candidate, or −1 when retrieval did not find it. */
  right: number;
}

/** Fits ranker and calibration on groups of candidates (one group per question). */
export function fitRanker(groups: readonly RankingGroup[], options: FitOptions & { features?: readonly string[]; fixed?: RankerModel['fixed'] } = {}): RankerModel {
  const features = options.features ?? FEATURES.filter((f) => !(options.fixed && f in options.fixed));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const g of groups) {
    g.candidates.forEach((c, i) => {
      rows.push(features.map((f) => c[f] ?? 0));
      labels.push(i === g.right ? 1 : 0);
    });
  }
  const ranker = fitLogistic(features, rows, labels, options);
  const model: RankerModel = { ranker, calibration: { a: 1, b: 0, c: 0 }, fixed: options.fixed };
  // Platt scaling on the same questions: does the top candidate answer the question?
  const top: number[][] = [];
  const right: number[] = [];
  for (const g of groups) {
    const ranked = rankGroup(model, g.candidates);
    const first = ranked[0];
    if (!first) continue;
    top.push([first.score, first.lead]);
    right.push(first.index === g.right ? 1 : 0);
  }
  const platt = fitLogistic(['score', 'lead'], top, right, { l2: 1e-4, iterations: 800, positiveWeight: 1 });
  // Fold the standardisation into plain coefficients.
  const a = (platt.weights[0] as number) / (platt.scale[0] as number);
  const b = (platt.weights[1] as number) / (platt.scale[1] as number);
  const c = platt.bias - a * (platt.mean[0] as number) - b * (platt.mean[1] as number);
  model.calibration = { a, b, c };
  return model;
}

/** Candidates by descending ranker score, each with its lead over the best other candidate. */
export function rankGroup(model: RankerModel, candidates: ReadonlyArray<Readonly<Record<string, number>>>): Array<{ index: number; score: number; lead: number }> {
  const scored = candidates.map((c, index) => ({ index, score: rankerScore(model, c), lead: 0 })).sort((x, y) => y.score - x.score || x.index - y.index);
  scored.forEach((s, i) => {
    const other = i === 0 ? scored[1] : scored[0];
    s.lead = other ? s.score - other.score : 5;
  });
  return scored;
}
