import { softmax } from './tensor-math.js';

/**
 * Multinomial logistic regression on fixed-size feature vectors, trained in TypeScript — small enough
 * to retrain whenever a tenant edits its intents (~15 s for 9k examples on a busy 2-core VM), deterministic for a given
 * seed (seeded shuffling, no parallelism), no native dependencies.
 *
 * Features are standardised (per-dimension mean/std of the training set); training is mini-batch Adam
 * on cross-entropy with L2 weight decay. Defaults were chosen on a held-out fifth of the banking77 and
 * clinc150 *train* splits (never dev): 20 epochs at 5e-4 beat 30 epochs at 3e-3 by about two points.
 */

export interface SoftmaxHeadOptions {
  /** Passes over the training set. Default 20. */
  epochs?: number;
  /** Adam step size. Default 0.0005. */
  learningRate?: number;
  /** L2 penalty on weights (not biases). Default 1e-4. */
  l2?: number;
  /** Examples per gradient step. Default 32. */
  batchSize?: number;
  /** Label smoothing ε. Default 0 (with it, no gradient is ever small enough to skip). */
  labelSmoothing?: number;
  /** Seed of the shuffling PRNG. Default 1. */
  seed?: number;
}

/** A small seeded PRNG (mulberry32); `Math.random` would make training non-reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** A sparse feature vector (e.g. TF-IDF of n-grams): parallel index and value arrays. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const EMPTY_SPARSE: SparseVector = { indices: new Int32Array(0), values: new Float32Array(0) };

export class SoftmaxHead {
  constructor(
    readonly numClasses: number,
    readonly dim: number,
    /** `[numClasses, dim]` row-major. */
    readonly weights: Float32Array,
    readonly bias: Float32Array,
    readonly mean: Float32Array,
    readonly invStd: Float32Array,
    /** Sparse feature count; their weights are `[sparseDim, numClasses]` row-major. */
    readonly sparseDim = 0,
    readonly sparseWeights: Float32Array = new Float32Array(0),
  ) {}

  logits(x: ArrayLike<number>, sparse: SparseVector = EMPTY_SPARSE): Float64Array {
    const { numClasses: c, dim: d, weights, bias, mean, invStd, sparseWeights } = this;
    const z = new Float32Array(d);
    for (let j = 0; j < d; j++) z[j] = ((x[j] as number) - (mean[j] as number)) * (invStd[j] as number);
    const out = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      let s = bias[k] as number;
      const base = k * d;
      for (let j = 0; j < d; j++) s += (weights[base + j] as number) * (z[j] as number);
      out[k] = s;
    }
    for (let t = 0; t < sparse.indices.length; t++) {
      const f = sparse.indices[t] as number;
      if (f >= this.sparseDim) continue;
      const value = sparse.values[t] as number;
      const base = f * c;
      for (let k = 0; k < c; k++) out[k] = (out[k] as number) + (sparseWeights[base + k] as number) * value;
    }
    return out;
  }

  predictProba(x: ArrayLike<number>, sparse?: SparseVector): Float64Array {
    return softmax(this.logits(x, sparse));
  }
}

/**
 * Trains the head. `sparse` (one vector per example, indices < `sparseDim`) adds sparse features next
 * to the dense ones; their weights get lazy Adam updates (only rows an example touches), so a large
 * n-gram vocabulary costs little.
 */
export function trainSoftmaxHead(
  features: readonly Float32Array[],
  labels: ArrayLike<number>,
  numClasses: number,
  options: SoftmaxHeadOptions = {},
  sparse?: { vectors: readonly SparseVector[]; dim: number },
): SoftmaxHead {
  const n = features.length;
  if (n === 0) throw new Error('Cannot train a classifier without examples');
  const d = (features[0] as Float32Array).length;
  const epochs = options.epochs ?? 20;
  const lr = options.learningRate ?? 0.0005;
  const l2 = options.l2 ?? 1e-4;
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const eps = options.labelSmoothing ?? 0;
  const random = mulberry32(options.seed ?? 1);

  // Standardise features.
  const mean = new Float32Array(d);
  const invStd = new Float32Array(d);
  for (const x of features) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[j] as number) / n;
  const variance = new Float64Array(d);
  for (const x of features) {
    for (let j = 0; j < d; j++) {
      const diff = (x[j] as number) - (mean[j] as number);
      variance[j] = (variance[j] as number) + (diff * diff) / n;
    }
  }
  for (let j = 0; j < d; j++) invStd[j] = 1 / Math.sqrt((variance[j] as number) + 1e-8);
  const z = features.map((x) => {
    const v = new Float32Array(d);
    for (let j = 0; j < d; j++) v[j] = ((x[j] as number) - (mean[j] as number)) * (invStd[j] as number);
    return v;
  });

  const c = numClasses;
  const w = new Float32Array(c * d);
  const b = new Float32Array(c);
  const gw = new Float32Array(c * d);
  const gb = new Float32Array(c);
  const mw = new Float32Array(c * d);
  const vw = new Float32Array(c * d);
  const mb = new Float32Array(c);
  const vb = new Float32Array(c);
  const sd = sparse?.dim ?? 0;
  const sv = sparse?.vectors ?? [];
  const sw = new Float32Array(sd * c);
  const sg = new Float32Array(sd * c);
  const sm = new Float32Array(sd * c);
  const svv = new Float32Array(sd * c);
  const touched = new Uint8Array(sd);
  const touchedList: number[] = [];
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const order = Array.from({ length: n }, (_, i) => i);
  const logits = new Float64Array(c);
  const offTarget = eps / c;
  const onTarget = 1 - eps + eps / c;

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      gw.fill(0);
      gb.fill(0);
      for (let idx = start; idx < end; idx++) {
        const i = order[idx] as number;
        const x = z[i] as Float32Array;
        const y = labels[i] as number;
        const sx = sv[i] ?? EMPTY_SPARSE;
        for (let k = 0; k < c; k++) {
          let s = b[k] as number;
          const base = k * d;
          for (let j = 0; j < d; j++) s += (w[base + j] as number) * (x[j] as number);
          logits[k] = s;
        }
        for (let t = 0; t < sx.indices.length; t++) {
          const f = sx.indices[t] as number;
          const value = sx.values[t] as number;
          const base = f * c;
          for (let k = 0; k < c; k++) logits[k] = (logits[k] as number) + (sw[base + k] as number) * value;
          if (!touched[f]) {
            touched[f] = 1;
            touchedList.push(f);
          }
        }
        let max = -Infinity;
        for (let k = 0; k < c; k++) if ((logits[k] as number) > max) max = logits[k] as number;
        let sum = 0;
        for (let k = 0; k < c; k++) {
          const e = Math.exp((logits[k] as number) - max);
          logits[k] = e;
          sum += e;
        }
        for (let k = 0; k < c; k++) {
          const g = (logits[k] as number) / sum - (k === y ? onTarget : offTarget);
          // Classes the example has already ruled out contribute (next to) nothing; skipping them
          // halves training time once the head is warm.
          if (Math.abs(g) < 1e-5) continue;
          gb[k] = (gb[k] as number) + g;
          const base = k * d;
          for (let j = 0; j < d; j++) gw[base + j] = (gw[base + j] as number) + g * (x[j] as number);
          for (let t = 0; t < sx.indices.length; t++) {
            const at = (sx.indices[t] as number) * c + k;
            sg[at] = (sg[at] as number) + g * (sx.values[t] as number);
          }
        }
      }
      const m = end - start;
      step++;
      const c1 = 1 - Math.pow(beta1, step);
      const c2 = 1 - Math.pow(beta2, step);
      const adam = (params: Float32Array, grads: Float32Array, m1s: Float32Array, v1s: Float32Array, p: number, decay: number): void => {
        const g = (grads[p] as number) / m + decay * (params[p] as number);
        const m1 = beta1 * (m1s[p] as number) + (1 - beta1) * g;
        const v1 = beta2 * (v1s[p] as number) + (1 - beta2) * g * g;
        m1s[p] = m1;
        v1s[p] = v1;
        params[p] = (params[p] as number) - (lr * (m1 / c1)) / (Math.sqrt(v1 / c2) + 1e-8);
      };
      // Dense weights: the hot loop, kept inline.
      for (let p = 0; p < w.length; p++) {
        const g = (gw[p] as number) / m + l2 * (w[p] as number);
        const m1 = beta1 * (mw[p] as number) + (1 - beta1) * g;
        const v1 = beta2 * (vw[p] as number) + (1 - beta2) * g * g;
        mw[p] = m1;
        vw[p] = v1;
        w[p] = (w[p] as number) - (lr * (m1 / c1)) / (Math.sqrt(v1 / c2) + 1e-8);
      }
      for (let k = 0; k < c; k++) adam(b, gb, mb, vb, k, 0);
      for (const f of touchedList) {
        for (let k = 0; k < c; k++) adam(sw, sg, sm, svv, f * c + k, l2);
        sg.fill(0, f * c, (f + 1) * c);
        touched[f] = 0;
      }
      touchedList.length = 0;
    }
  }
  return new SoftmaxHead(c, d, w, b, mean, invStd, sd, sw);
}
