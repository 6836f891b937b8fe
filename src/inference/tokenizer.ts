import { access } from 'node:fs/promises';
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { alignTokens, isCjkIdeograph, type AlignedToken } from './token-alignment.js';

/** One text, tokenized, without special tokens. */
export interface TokenizedText {
  ids: number[];
  tokens: string[];
}

/** A model-ready sequence: special tokens included, truncated to the model's maximum length. */
export interface EncodedSequence {
  ids: number[];
}

/**
 * Thin wrapper over a transformers.js tokenizer loaded from a model directory — local files only, the
 * hub is never contacted. Adds what the pipelines need: special-token wrapping with truncation (so that
 * long texts can be windowed), token strings, and character offsets (see token-alignment.ts).
 */
export class TextTokenizer {
  private readonly specials: ReadonlySet<string>;
  /** Special ids placed before / after the text by the tokenizer's post-processor (e.g. [CLS] / [SEP]). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  readonly padId: number;
  readonly unkToken: string;
  private readonly unkId: number | null;
  /** Pieces of single-character segments (`tokenizeSegmented`), for the first {@link CHAR_CACHE_MAX} characters seen. */
  private readonly charPieces = new Map<string, TokenizedText>();

  private constructor(private readonly tokenizer: PreTrainedTokenizer) {
    this.specials = new Set(tokenizer.all_special_tokens);
    this.unkToken = tokenizer.unk_token ?? '[UNK]';
    this.unkId = tokenizer.convert_tokens_to_ids([this.unkToken])[0] ?? null;
    this.padId = tokenizer.pad_token_id ?? 0;
    // Learn the wrapping from the tokenizer itself rather than assuming BERT's [CLS] x [SEP].
    const inner = tokenizer.encode('a', { add_special_tokens: false });
    const full = tokenizer.encode('a', { add_special_tokens: true });
    const at = indexOfSequence(full, inner);
    this.prefixIds = at >= 0 ? full.slice(0, at) : [];
    this.suffixIds = at >= 0 ? full.slice(at + inner.length) : [];
  }

  /** Loads `tokenizer.json` + `tokenizer_config.json` from `dir` (an absolute path). */
  static async load(dir: string): Promise<TextTokenizer> {
    // Process-wide transformers.js settings: never reach for the hub, never write a cache.
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.useFSCache = false;
    const absolute = path.resolve(dir);
    await access(path.join(absolute, 'tokenizer.json'));
    const tokenizer = await AutoTokenizer.from_pretrained(absolute, { local_files_only: true });
    return new TextTokenizer(tokenizer);
  }

  /**
   * Tokens of `text` without special tokens. A piece the vocabulary lacks (a Unigram model emits a rare
   * character such as 鲢 as a piece of its own) becomes the unknown token, as the reference tokenizers do;
   * only a tokenizer without an unknown token refuses it.
   */
  tokenize(text: string): TokenizedText {
    const pieces = this.tokenizer.tokenize(text, { add_special_tokens: false });
    const tokens = [...pieces];
    const ids = this.tokenizer.convert_tokens_to_ids(pieces).map((id, i) => {
      if (id !== undefined && id !== null) return id;
      if (this.unkId === null) throw new Error(`Token "${pieces[i]}" has no id in the vocabulary and the tokenizer has no unknown token`);
      tokens[i] = this.unkToken;
      return this.unkId;
    });
    return { ids, tokens };
  }

  /** Wraps ids in the model's special tokens, keeping at most `maxLength` ids in total. */
  wrap(ids: readonly number[], maxLength: number): number[] {
    const room = Math.max(0, maxLength - this.prefixIds.length - this.suffixIds.length);
    return [...this.prefixIds, ...ids.slice(0, room), ...this.suffixIds];
  }

  /** Model-ready ids of `text`, truncated to `maxLength` (special tokens included). */
  encode(text: string, maxLength: number): number[] {
    return this.wrap(this.tokenize(text).ids, maxLength);
  }

  /** Room for text tokens in one sequence of `maxLength`. */
  capacity(maxLength: number): number {
    return Math.max(1, maxLength - this.prefixIds.length - this.suffixIds.length);
  }

  isSpecial(token: string): boolean {
    return this.specials.has(token);
  }

  /** Tokens of `text` (no specials) with character offsets into `text`. */
  tokenizeWithOffsets(text: string): TokenizedText & { aligned: AlignedToken[] } {
    const t = this.tokenize(text);
    const aligned = alignTokens(text, t.tokens, (i) => this.specials.has(t.tokens[i] as string) && t.tokens[i] !== this.unkToken, {
      unkToken: this.unkToken,
    });
    return { ...t, aligned };
  }

  /**
   * Tokens of `text` cut by {@link segmentCjkChars} first, each segment tokenized on its own (a
   * single-character segment drops a leading bare `▁` piece), so that no piece spans two segments: what a
   * model with `segmentation: cjk-chars` was trained on. A segment is a word: its first piece starts it,
   * and every piece of a single-character segment has that character's offsets.
   */
  tokenizeSegmented(text: string): TokenizedText & { aligned: AlignedToken[] } {
    const ids: number[] = [];
    const tokens: string[] = [];
    const aligned: AlignedToken[] = [];
    for (const [start, end] of segmentCjkChars(text)) {
      const segment = text.slice(start, end);
      if (end - start <= 2 && [...segment].length === 1) {
        const t = this.charTokens(segment);
        t.ids.forEach((id, k) => {
          ids.push(id);
          tokens.push(t.tokens[k] as string);
          aligned.push({ offset: [start, end], wordStart: k === 0 });
        });
        continue;
      }
      const t = this.tokenizeWithOffsets(segment);
      if (t.ids.length === 0 && this.unkId !== null) {
        // Nothing left after normalisation (control characters): one unknown token, as in training.
        ids.push(this.unkId);
        tokens.push(this.unkToken);
        aligned.push({ offset: [start, end], wordStart: true });
      }
      t.ids.forEach((id, k) => {
        const o = t.aligned[k]?.offset;
        ids.push(id);
        tokens.push(t.tokens[k] as string);
        aligned.push({ offset: o ? [start + o[0], start + o[1]] : [start, end], wordStart: k === 0 });
      });
    }
    return { ids, tokens, aligned };
  }

  private charTokens(ch: string): TokenizedText {
    let t = this.charPieces.get(ch);
    if (!t) {
      t = this.tokenize(ch);
      if (t.ids.length > 1 && t.tokens[0] === '\u2581') t = { ids: t.ids.slice(1), tokens: t.tokens.slice(1) };
      if (t.ids.length === 0) {
        if (this.unkId === null) throw new Error(`"${ch}" has no tokens and the tokenizer has no unknown token`);
        t = { ids: [this.unkId], tokens: [this.unkToken] };
      }
      if (this.charPieces.size < CHAR_CACHE_MAX) this.charPieces.set(ch, t);
    }
    return t;
  }
}

/** Chinese text uses a few thousand characters; the bound keeps odd input from growing the cache. */
const CHAR_CACHE_MAX = 20_000;
const SEGMENT_ALONE = /[\p{P}\p{S}]/u;
const SPACE = /\s/u;

/**
 * `[start, end)` UTF-16 offsets of the segments of `text` under the `cjk-chars` segmentation: every CJK
 * ideograph, punctuation mark (\p{P}) and symbol (\p{S}) alone, every maximal run of other non-space
 * characters whole; whitespace belongs to no segment. training/train_ner_zh.py `segments` is the reference.
 */
export function segmentCjkChars(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let run = -1;
  let i = 0;
  for (const ch of text) {
    const space = SPACE.test(ch);
    if (space || isCjkIdeograph(ch.codePointAt(0) ?? 0) || SEGMENT_ALONE.test(ch)) {
      if (run >= 0) out.push([run, i]);
      run = -1;
      if (!space) out.push([i, i + ch.length]);
    } else if (run < 0) {
      run = i;
    }
    i += ch.length;
  }
  if (run >= 0) out.push([run, text.length]);
  return out;
}

function indexOfSequence(haystack: readonly number[], needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
