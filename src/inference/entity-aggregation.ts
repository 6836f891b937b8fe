/**
 * Token labels → entity spans (BIO / IOB2, first-subword labelling).
 *
 * Each word takes the label the model gave its first sub-word (as in training, where the other
 * sub-words were masked out of the loss). Words are then joined into entities: `B-X` opens one, `I-X`
 * continues an open `X`, and an `I-X` with no open `X` (the model is not perfectly consistent) opens one
 * rather than being dropped — the usual "IOB1-tolerant" reading. Plain `X` labels (no prefix) behave like
 * `I-X`.
 */

export interface LabelledToken {
  /** Label name from the model's label list, e.g. `B-PER`, `I-LOC`, `O`. */
  label: string;
  /** Probability of that label. */
  score: number;
  /** `[start, end)` into the original text; null for special tokens (ignored). */
  offset: readonly [number, number] | null;
  /** True on the first sub-word of a word. */
  wordStart: boolean;
}

export interface EntitySpan {
  text: string;
  type: string;
  /** UTF-16 offsets into the original text: `text === original.slice(start, end)`. */
  start: number;
  end: number;
  /** Mean first-subword probability over the entity's words. */
  score: number;
}

interface Word {
  label: string;
  score: number;
  start: number;
  end: number;
}

export function parseBioLabel(label: string): { prefix: 'B' | 'I' | 'O'; type: string } {
  if (label === 'O' || label === '') return { prefix: 'O', type: '' };
  const m = /^([BIES])[-_](.+)$/u.exec(label);
  if (!m) return { prefix: 'I', type: label };
  const p = m[1] as string;
  // BIOES: S behaves like B, E like I.
  return { prefix: p === 'B' || p === 'S' ? 'B' : 'I', type: m[2] as string };
}

/** Groups tokens into words, labelled by their first sub-word. */
export function wordsFromTokens(tokens: readonly LabelledToken[]): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  for (const t of tokens) {
    if (t.offset === null) {
      current = undefined;
      continue;
    }
    if (t.wordStart || current === undefined) {
      current = { label: t.label, score: t.score, start: t.offset[0], end: t.offset[1] };
      words.push(current);
    } else {
      current.start = Math.min(current.start, t.offset[0]);
      current.end = Math.max(current.end, t.offset[1]);
    }
  }
  return words;
}

export function aggregateEntities(text: string, tokens: readonly LabelledToken[]): EntitySpan[] {
  const entities: EntitySpan[] = [];
  let open: { type: string; start: number; end: number; scores: number[] } | undefined;
  const flush = (): void => {
    if (open && open.end > open.start) {
      const score = open.scores.reduce((a, b) => a + b, 0) / open.scores.length;
      entities.push({ text: text.slice(open.start, open.end), type: open.type, start: open.start, end: open.end, score });
    }
    open = undefined;
  };
  for (const w of wordsFromTokens(tokens)) {
    const { prefix, type } = parseBioLabel(w.label);
    if (prefix === 'O') {
      flush();
      continue;
    }
    if (prefix === 'I' && open && open.type === type) {
      open.end = Math.max(open.end, w.end);
      open.scores.push(w.score);
      continue;
    }
    flush();
    open = { type, start: w.start, end: w.end, scores: [w.score] };
  }
  flush();
  return entities;
}

/**
 * The most probable label sequence under IOB2's rule that `I-X` follows only `B-X` or `I-X` (and never
 * starts a text): Viterbi over per-word probabilities. A model whose manifest says `decoding: bio-viterbi`
 * is read this way (training/train_ner_zh.py `viterbi` is the reference); argmax per word otherwise.
 * Returns one label index per row.
 */
export function viterbiBio(rows: readonly ArrayLike<number>[], labels: readonly string[]): number[] {
  if (rows.length === 0) return [];
  const n = labels.length;
  const parsed = labels.map(parseBioLabel);
  // from = -1: the start of the text.
  const allowed = (from: number, to: number): boolean => {
    const t = parsed[to] as { prefix: string; type: string };
    if (t.prefix !== 'I') return true;
    if (from < 0) return false;
    const f = parsed[from] as { prefix: string; type: string };
    return f.prefix !== 'O' && f.type === t.type;
  };
  const log = (p: number): number => Math.log(Math.max(p, 1e-30));
  let score = Array.from({ length: n }, (_, j) => (allowed(-1, j) ? log((rows[0] as ArrayLike<number>)[j] as number) : -Infinity));
  const back: Int32Array[] = [];
  for (let t = 1; t < rows.length; t++) {
    const row = rows[t] as ArrayLike<number>;
    const next = new Array<number>(n).fill(-Infinity);
    const from = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        if (!allowed(i, j)) continue;
        const s = (score[i] as number) + log(row[j] as number);
        if (s > (next[j] as number)) {
          next[j] = s;
          from[j] = i;
        }
      }
    }
    back.push(from);
    score = next;
  }
  let best = 0;
  for (let j = 1; j < n; j++) if ((score[j] as number) > (score[best] as number)) best = j;
  const path = [best];
  for (let t = back.length - 1; t >= 0; t--) path.push((back[t] as Int32Array)[path[path.length - 1] as number] as number);
  return path.reverse();
}
