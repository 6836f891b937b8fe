import { invalidDocument } from './ingestion.errors.js';
import type { Block, PlacedBlock } from './ingestion.types.js';

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const SPACES = /[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g;

/**
 * One block's text: Unicode NFC (NFKC would turn CJK full-width punctuation into ASCII and break
 * sentence splitting), no zero-width or control characters, one space between words, one newline
 * at most between lines.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(CONTROL, '')
    .replace(SPACES, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * Normalises every block and drops the empty ones; fails when no text is left or the text is too
 * long. `indexOf[i]` is the new index of input block `i` (-1 when it was dropped).
 */
export function normaliseBlocks(blocks: Block[], maxChars: number): { blocks: Block[]; indexOf: number[] } {
  const out: Block[] = [];
  const indexOf = blocks.map((b) => {
    const text = normaliseText(b.text);
    if (!text) return -1;
    out.push({ ...b, text });
    return out.length - 1;
  });
  if (out.length === 0) throw invalidDocument('empty', 'No text could be extracted from the document (a scanned PDF without a text layer, or an empty file).');
  const total = out.reduce((n, b) => n + b.text.length + 2, 0);
  if (total > maxChars) throw invalidDocument('too-large', `The document has ${total.toLocaleString('en')} characters of text; the limit is ${maxChars.toLocaleString('en')} (INGEST_MAX_CHARS).`);
  return { blocks: out, indexOf };
}

/**
 * Lays blocks out as the document text: a blank line between blocks, a single newline between the
 * items of one list, the rows of one table, or a question and its answer. Returns the text and each block's offsets in it.
 */
export function layoutBlocks(blocks: Block[]): { text: string; blocks: PlacedBlock[] } {
  let text = '';
  const placed: PlacedBlock[] = [];
  let prev: Block | undefined;
  for (const b of blocks) {
    const together = (prev?.group !== undefined && prev.group === b.group) || (prev?.kind === 'question' && b.kind === 'answer') || (prev?.kind === 'answer' && b.kind === 'answer');
    if (prev) text += together ? '\n' : '\n\n';
    const start = text.length;
    text += b.text;
    placed.push({ ...b, start, end: text.length });
    prev = b;
  }
  return { text, blocks: placed };
}
