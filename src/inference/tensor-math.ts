/**
 * Small numeric kernels on flat row-major buffers, shared by the pipelines. Pure and allocation-light:
 * they run on every request.
 */

/**
 * Mean of the token vectors of each sequence, counting only positions whose attention mask is set
 * (sentence-transformers' `mean` pooling), then L2-normalised when `normalize` is true.
 *
 * @param hidden `[batch, seqLen, dim]` row-major
 * @param mask `[batch, seqLen]`, 1 for real tokens
 */
export function meanPool(
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  batch: number,
  seqLen: number,
  dim: number,
  normalize = true,
): Float32Array[] {
  if (hidden.length !== batch * seqLen * dim) {
    throw new RangeError(`hidden has ${hidden.length} values, expected ${batch}×${seqLen}×${dim}`);
  }
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const acc = new Float64Array(dim);
    let count = 0;
    for (let t = 0; t < seqLen; t++) {
      if (Number(mask[b * seqLen + t]) === 0) continue;
      count++;
      const base = (b * seqLen + t) * dim;
      for (let d = 0; d < dim; d++) acc[d] = (acc[d] as number) + (hidden[base + d] as number);
    }
    const v = new Float32Array(dim);
    // sentence-transformers clamps the token count at 1e-9; an all-masked row yields a zero vector.
    const denom = Math.max(count, 1e-9);
    for (let d = 0; d < dim; d++) v[d] = (acc[d] as number) / denom;
    out.push(normalize ? l2Normalize(v) : v);
  }
  return out;
}

/** L2-normalises in place (a zero vector stays zero) and returns the same array. */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) * (v[i] as number);
  const norm = Math.sqrt(sum);
  // Same epsilon as torch.nn.functional.normalize.
  const scale = 1 / Math.max(norm, 1e-12);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * scale;
  return v;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = dot(a, b);
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  return na === 0 || nb === 0 ? 0 : d / (na * nb);
}

/** Numerically stable softmax of `logits / temperature`. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const t = temperature > 0 ? temperature : 1;
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, (logits[i] as number) / t);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] as number) / t - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
