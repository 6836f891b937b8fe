import type { LoadedModel } from './model-registry.js';
import type { TensorData, ValueInfo } from './model-session.js';

/**
 * Feeds and outputs shared by the pipelines: padding a batch of token-id sequences into the tensors a
 * BERT-style graph takes, and finding the output to read.
 */

export interface TokenBatch {
  feeds: Record<string, TensorData>;
  /** Padded length of every row. */
  seqLen: number;
  /** `[batch, seqLen]`, 1 on real tokens. */
  mask: Uint8Array;
}

const TOKEN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

function integerTensor(type: string | undefined, values: ArrayLike<number>, dims: number[]): TensorData {
  if (type === 'int32') return { type: 'int32', data: Int32Array.from(values), dims };
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i] as number);
  return { type: 'int64', data, dims };
}

/**
 * Right-pads sequences with `padId` and builds the inputs the graph declares (int64 or int32). Inputs
 * other than the three token inputs come from `extra` (one per-token sequence per row, padded with 0).
 */
export function buildTokenBatch(
  sequences: readonly (readonly number[])[],
  padId: number,
  inputs: readonly ValueInfo[],
  extra: Readonly<Record<string, readonly (readonly number[])[]>> = {},
): TokenBatch {
  const batch = sequences.length;
  const seqLen = Math.max(1, ...sequences.map((s) => s.length));
  const ids = new Array<number>(batch * seqLen).fill(padId);
  const mask = new Uint8Array(batch * seqLen);
  sequences.forEach((seq, b) => {
    for (let t = 0; t < seq.length; t++) {
      ids[b * seqLen + t] = seq[t] as number;
      mask[b * seqLen + t] = 1;
    }
  });
  const dims = [batch, seqLen];
  const feeds: Record<string, TensorData> = {};
  for (const input of inputs) {
    if (!TOKEN_INPUTS.has(input.name)) {
      const rows = extra[input.name];
      if (!rows) throw new Error(`Model input "${input.name}" is not a token input and no values were given for it`);
      const values = new Array<number>(batch * seqLen).fill(0);
      rows.forEach((row, b) => row.forEach((v, t) => (values[b * seqLen + t] = v)));
      feeds[input.name] = integerTensor(input.type, values, dims);
      continue;
    }
    if (input.name === 'input_ids') feeds[input.name] = integerTensor(input.type, ids, dims);
    else if (input.name === 'attention_mask') feeds[input.name] = integerTensor(input.type, mask, dims);
    else feeds[input.name] = integerTensor(input.type, new Uint8Array(batch * seqLen), dims);
  }
  return { feeds, seqLen, mask };
}

/** A string-tensor feed for models that take raw text (e.g. skl2onnx pipelines): `[batch, 1]` unless the graph says `[batch]`. */
export function buildTextFeeds(texts: readonly string[], inputs: readonly ValueInfo[]): Record<string, TensorData> {
  // The string input (a model may take an embedding beside it).
  const input = inputs.find((i) => i.type === 'string') ?? inputs[0];
  if (!input) throw new Error('Model declares no inputs');
  const dims = input.shape && input.shape.length === 1 ? [texts.length] : [texts.length, 1];
  return { [input.name]: { type: 'string', data: [...texts], dims } };
}

/**
 * The output a pipeline reads: the manifest's `output`, else the first of `preferred` present, else
 * the first float tensor output.
 */
export function pickOutput(model: LoadedModel, preferred: readonly string[]): string {
  const names = model.session.outputs.map((o) => o.name);
  if (model.spec.output) {
    if (!names.includes(model.spec.output)) {
      throw new Error(`Model "${model.spec.name}" has no output "${model.spec.output}" (outputs: ${names.join(', ')})`);
    }
    return model.spec.output;
  }
  for (const p of preferred) if (names.includes(p)) return p;
  const float = model.session.outputs.find((o) => o.type === 'float32');
  if (!float) throw new Error(`Model "${model.spec.name}" has no float output (outputs: ${names.join(', ')})`);
  return float.name;
}

export function floatData(t: TensorData | undefined, what: string): Float32Array {
  if (!t) throw new Error(`Missing output ${what}`);
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  throw new Error(`Output ${what} is ${t.type}, expected float32`);
}

export function outputInfo(model: LoadedModel, name: string): ValueInfo | undefined {
  return model.session.outputs.find((o) => o.name === name);
}
