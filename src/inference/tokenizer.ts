import { access } from 'node:fs/promises';
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { alignTokens, type AlignedToken } from './token-alignment.js';

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
}

function indexOfSequence(haystack: readonly number[], needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
