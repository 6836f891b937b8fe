import type { ChunkData, PlacedBlock, Span } from './ingestion.types.js';
import type { Sentence } from './sentences.js';

export interface ChunkOptions {
  /** Most characters in one chunk. Default 900 (en) — about the 256 tokens the embedding model reads. */
  maxChars: number;
  /** A chunk this long may end early at a heading, so sections start chunks. Default 200. */
  minChars: number;
}

/** CJK text costs about one model token a character, English about one per four. */
export function chunkOptionsFor(language: string): ChunkOptions {
  return language.startsWith('zh') || language.startsWith('ja') || language.startsWith('ko') ? { maxChars: 240, minChars: 80 } : { maxChars: 900, minChars: 200 };
}

/** Cuts a sentence longer than `max` at spaces or commas (never inside a word if it can help it). */
function splitLong(text: string, s: Span, max: number): Span[] {
  const out: Span[] = [];
  let start = s.start;
  while (s.end - start > max) {
    let cut = start + max;
    const window = text.slice(start, cut);
    const at = Math.max(window.lastIndexOf(' '), window.lastIndexOf('，'), window.lastIndexOf(','), window.lastIndexOf('、'));
    if (at > max / 2) cut = start + at + 1;
    out.push({ start, end: cut });
    start = cut;
    while (start < s.end && /\s/.test(text[start]!)) start++;
  }
  if (s.end > start) out.push({ start, end: s.end });
  return out;
}

/**
 * Groups whole sentences into chunks of at most `maxChars`, in order, without overlap: a chunk
 * never ends inside a sentence (a sentence longer than a chunk is cut at a space or comma), a
 * heading starts a new chunk once the current one has `minChars`, and a question stays with the
 * first sentence of its answer. `chunk.text === text.slice(chunk.start, chunk.end)`.
 */
export function chunkSentences(text: string, blocks: PlacedBlock[], sentences: Sentence[], options: ChunkOptions): ChunkData[] {
  const units: Array<Span & { block: number }> = [];
  for (const s of sentences) for (const piece of splitLong(text, s, options.maxChars)) units.push({ ...piece, block: s.block });

  const chunks: ChunkData[] = [];
  let current: Span | null = null;
  const close = () => {
    if (current) chunks.push({ index: chunks.length, start: current.start, end: current.end, text: text.slice(current.start, current.end) });
    current = null;
  };
  units.forEach((u, i) => {
    const kind = blocks[u.block]?.kind;
    const prev = units[i - 1];
    const afterQuestion = prev !== undefined && blocks[prev.block]?.kind === 'question' && kind === 'answer' && prev.block !== u.block;
    if (current) {
      const c: Span = current;
      const tooLong = u.end - c.start > options.maxChars;
      const sectionStart = kind === 'heading' && c.end - c.start >= options.minChars;
      const questionStart = kind === 'question' && c.end - c.start >= options.minChars;
      if ((tooLong && !(afterQuestion && u.end - c.start <= options.maxChars * 1.5)) || sectionStart || questionStart) close();
    }
    if (current) (current).end = u.end;
    else current = { start: u.start, end: u.end };
  });
  close();
  return chunks;
}

/** The chunk holding offset `at` (chunks are sorted and disjoint). */
export function chunkAt(chunks: readonly ChunkData[], at: number): ChunkData | undefined {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = chunks[mid]!;
    if (at < c.start) hi = mid - 1;
    else if (at >= c.end) lo = mid + 1;
    else return c;
  }
  // In the gap between two chunks (block separators): the next chunk.
  return chunks[lo];
}

/** The parts of `span` inside each chunk it overlaps, for DERIVED_FROM links. */
export function spanByChunk(chunks: readonly ChunkData[], span: Span): Array<{ chunk: ChunkData; start: number; end: number }> {
  const out: Array<{ chunk: ChunkData; start: number; end: number }> = [];
  for (const c of chunks) {
    if (c.end <= span.start) continue;
    if (c.start >= span.end) break;
    out.push({ chunk: c, start: Math.max(c.start, span.start), end: Math.min(c.end, span.end) });
  }
  return out;
}
