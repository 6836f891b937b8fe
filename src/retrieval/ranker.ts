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

/**
 * Platt scaling of the top candidate: P(right) = σ(a·score + b·lead + c), `lead` = score − best other
 * score. `absolute`, when fitted, adds terms on candidate features that do not depend on the other
 * candidates (the cosine, lexical coverage): rank-relative features saturate in a small knowledge base —
 * its only lounge fact is "first by far" for any lounge question — and only absolute evidence tells
 * whether the top item answers at all.
 */
export interface Calibration {
  a: number;
  b: number;
  c: number;
  /** Extra terms on the top candidate's own features, as plain coefficients (no standardisation). */
  absolute?: Record<string, number>;
}

/** A fitted ranker for one language: the ranking model, its calibration, and how both were fitted. */
export interface RankerModel {
  ranker: LogisticModel;
  calibration: Calibration;
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

/** Calibrated probability that a candidate with this score, lead over the best other one and these features is right. */
export function calibrated(model: RankerModel, score: number, lead: number, features: Readonly<Record<string, number>> = {}): number {
  const { a, b, c, absolute } = model.calibration;
  let z = a * score + b * lead + c;
  for (const [name, w] of Object.entries(absolute ?? {})) z += w * (features[name] ?? 0);
  return sigmoid(z);
}

/** Candidate features that do not depend on the other candidates (the calibration's `absolute` terms). */
export const ABSOLUTE_FEATURES = ['cosine', 'coverage', 'charCoverage'] as const;

export interface FitOptions {
  /** L2 penalty on the (standardised) weights. Default 1e-3. */
  l2?: number;
  /** Gradient steps. Default 400. */
  iterations?: number;
  /** Step size. Default 0.5. */
  rate?: number;
  /** Weight of positive rows (rare in ranking data). Default: negatives / positives, at most 20. */
  positiveWeight?: number;
  /** Weight of each row (multiplies `positiveWeight`). Default 1. */
  rowWeights?: readonly number[];
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
  const rw = (i: number): number => options.rowWeights?.[i] ?? 1;
  const totalWeight = labels.reduce((s, y, i) => s + (y > 0.5 ? pw : 1) * rw(i), 0);
  for (let it = 0; it < (options.iterations ?? 400); it++) {
    const gw = Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const xi = X[i] as number[];
      let z = b;
      for (let j = 0; j < d; j++) z += (w[j] as number) * (xi[j] as number);
      const y = labels[i] as number;
      const weight = (y > 0.5 ? pw : 1) * rw(i);
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

export interface RankerFitOptions extends FitOptions {
  features?: readonly string[];
  fixed?: RankerModel['fixed'];
  /**
   * Also calibrate on knowledge bases the dev set does not have (see {@link derivedGroups}): the same
   * questions with their answer removed, and against a small knowledge base with and without it. The
   * ranker itself is fitted on the dev groups only. Value: the derived groups' total weight relative to
   * the dev groups' (0 = off). Default 0.
   */
  derivedWeight?: number;
}

/** Fits ranker and calibration on groups of candidates (one group per question). */
export function fitRanker(groups: readonly RankingGroup[], options: RankerFitOptions = {}): RankerModel {
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
  // Platt scaling on the same questions (and, when asked, on derived knowledge bases): does the top
  // candidate answer the question?
  const derivedWeight = options.derivedWeight ?? 0;
  const derived = derivedWeight > 0 ? derivedGroups(groups) : [];
  const absolute = derivedWeight > 0 ? ABSOLUTE_FEATURES.filter((f) => features.includes(f)) : [];
  const top: number[][] = [];
  const right: number[] = [];
  const weights: number[] = [];
  const each = derived.length > 0 ? (derivedWeight * groups.length) / derived.length : 0;
  for (const [g, w] of [...groups.map((g) => [g, 1] as const), ...derived.map((g) => [g, each] as const)]) {
    const ranked = rankGroup(model, g.candidates);
    const first = ranked[0];
    if (!first) continue;
    const c = g.candidates[first.index] ?? {};
    top.push([first.score, first.lead, ...absolute.map((f) => c[f] ?? 0)]);
    right.push(first.index === g.right ? 1 : 0);
    weights.push(w);
  }
  const platt = fitLogistic(['score', 'lead', ...absolute], top, right, { l2: 1e-4, iterations: 800, positiveWeight: 1, rowWeights: weights });
  // Fold the standardisation into plain coefficients.
  const coef = platt.weights.map((w, j) => w / (platt.scale[j] as number));
  const c = platt.bias - coef.reduce((s, w, j) => s + w * (platt.mean[j] as number), 0);
  model.calibration = { a: coef[0] as number, b: coef[1] as number, c };
  if (absolute.length > 0) model.calibration.absolute = Object.fromEntries(absolute.map((f, j) => [f, coef[j + 2] as number]));
  return model;
}

/**
 * The features of some of a group's candidates as retrieval would compute them if only those were in
 * the knowledge base: list ranks, the fulltext score's share of the best and the cosine gap are relative
 * to the candidates present, so they are recomputed; the rest are kept. Pure.
 */
export function restrictGroup(candidates: ReadonlyArray<Readonly<Record<string, number>>>, keep: readonly number[]): Array<Record<string, number>> {
  const kept = keep.map((i) => ({ ...(candidates[i] ?? {}) }));
  const inVector = kept.filter((c) => (c.vectorRR ?? 0) > 0);
  const byCos = [...inVector].sort((x, y) => (y.cosine ?? 0) - (x.cosine ?? 0));
  const withCos = kept.filter((c) => (c.cosineGap ?? -1) > -1 || (c.vectorRR ?? 0) > 0);
  const bestCos = withCos.length > 0 ? Math.max(...withCos.map((c) => c.cosine ?? 0)) : 0;
  const inText = kept.filter((c) => (c.textRR ?? 0) > 0);
  const byText = [...inText].sort((x, y) => (y.bm25 ?? 0) - (x.bm25 ?? 0));
  const bestText = Math.max(0, ...kept.map((c) => c.bm25 ?? 0));
  for (const c of kept) {
    if (withCos.includes(c)) c.cosineGap = (c.cosine ?? 0) - bestCos;
    c.vectorRR = inVector.includes(c) ? 1 / (byCos.indexOf(c) + 1) : 0;
    c.textRR = inText.includes(c) ? 1 / (byText.indexOf(c) + 1) : 0;
    c.bm25 = bestText > 0 ? (c.bm25 ?? 0) / bestText : 0;
  }
  return kept;
}

/**
 * Knowledge bases the dev set does not have, derived from each group whose right candidate was found:
 * the question with its answer removed (a gap in a large knowledge base); a small one of the right
 * candidate and `small − 1` of the group's least similar candidates (its far end stands in for unrelated
 * facts); and the same small one with the best wrong candidate instead of the right one (a related fact
 * that does not answer, like the lounge fact asked about drinks). Deterministic.
 */
export function derivedGroups(groups: readonly RankingGroup[], small = 8): RankingGroup[] {
  const out: RankingGroup[] = [];
  for (const g of groups) {
    const n = g.candidates.length;
    if (g.right < 0 || n < 3) continue;
    const others = Array.from({ length: n }, (_, i) => i).filter((i) => i !== g.right);
    out.push({ candidates: restrictGroup(g.candidates, others), right: -1 });
    const far = others.slice(-(small - 1));
    out.push({ candidates: restrictGroup(g.candidates, [g.right, ...far]), right: 0 });
    const hardest = others.reduce((best, i) => ((g.candidates[i]?.cosine ?? -1) > (g.candidates[best]?.cosine ?? -1) ? i : best), others[0] as number);
    out.push({ candidates: restrictGroup(g.candidates, [hardest, ...far.filter((i) => i !== hardest)]), right: -1 });
  }
  return out;
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
