import { parse as parseCsv } from 'csv-parse/sync';
import { parseKnowledgeImport } from '../knowledge/import/index.js';
import type { KnowledgeContent } from '../knowledge/knowledge.content.js';
import { kinds, type KnowledgeItemRecord } from '../knowledge/kinds/index.js';
import { decodeContent, formatOf, type DocumentFormat } from './content.js';
import { invalidDocument } from './ingestion.errors.js';
import type { Block } from './ingestion.types.js';
import { docxToBlocks, pdfToBlocks } from './parse.binary.js';
import { htmlToBlocks } from './parse.html.js';
import { markdownToBlocks } from './parse.markdown.js';
import { textToBlocks } from './parse.text.js';

/** A record of a FAQ file: its content, and the blocks (first, last) it was rendered as. */
export interface StructuredRecord {
  blocks: [number, number];
  content: KnowledgeContent;
}

export interface ParsedDocument {
  format: DocumentFormat;
  blocks: Block[];
  /** FAQ files only: each record becomes a draft directly. */
  records: StructuredRecord[] | null;
  pages: number | null;
  bytes: number;
}

/** Reads any supported format into blocks. Bad input throws `InvalidDocumentError` (permanent). */
export async function parseDocument(input: { mediaType: string; content: string; language: string; visibility: KnowledgeContent['visibility'] }, maxBytes: number): Promise<ParsedDocument> {
  const format = formatOf(input.mediaType);
  const decoded = decodeContent(format, input.content, maxBytes);
  const base = { format, records: null, pages: null, bytes: decoded.bytes };
  if (decoded.kind === 'binary') {
    if (format === 'pdf') {
      const { blocks, pages } = await pdfToBlocks(decoded.data);
      return { ...base, blocks, pages };
    }
    return { ...base, blocks: await docxToBlocks(decoded.data) };
  }
  switch (format) {
    case 'markdown':
      return { ...base, blocks: markdownToBlocks(decoded.text) };
    case 'html':
      return { ...base, blocks: htmlToBlocks(decoded.text) };
    case 'faq-csv':
    case 'faq-jsonl':
      return { ...base, ...faqToBlocks(format, decoded.text, input.language, input.visibility) };
    default:
      return { ...base, blocks: textToBlocks(decoded.text) };
  }
}


/**
 * FAQ files in the knowledge import format (`src/knowledge/import`), with two conveniences for
 * plain FAQs: JSONL lines without `type`/`externalId` are facts, and a CSV without a `type` column
 * is read as `question,answer[,entities…]` rows. Records become Q/A blocks so that every draft still
 * cites a passage of the document text.
 */
export function faqToBlocks(format: 'faq-csv' | 'faq-jsonl', text: string, language: string, visibility: KnowledgeContent['visibility']): { blocks: Block[]; records: StructuredRecord[] } {
  const jsonl = format === 'faq-jsonl' ? withFactDefaults(text) : csvAsJsonl(text);
  const parsed = parseKnowledgeImport(jsonl.text, jsonl.format);
  if (parsed.errors.length > 0) {
    throw invalidDocument('invalid-faq', `The FAQ file has errors: ${parsed.errors.slice(0, 5).map((e) => e.message).join('; ')}${parsed.errors.length > 5 ? ` (and ${parsed.errors.length - 5} more)` : ''}.`);
  }
  const others = parsed.records.filter((r) => !['fact', 'rule', 'process'].includes(r.record.type));
  if (others.length > 0) {
    throw invalidDocument('invalid-faq', `A FAQ file holds facts, rules and processes; line ${others[0]!.line} is a "${others[0]!.record.type}" record — load entities and intents with importKnowledge.`);
  }
  const blocks: Block[] = [];
  const records: StructuredRecord[] = [];
  let group = 0;
  for (const { record } of parsed.records) {
    const r = record as KnowledgeItemRecord;
    const first = blocks.length;
    const common = { externalId: r.externalId, language: r.language ?? language, visibility: r.visibility ?? visibility, entities: r.entities ?? [], tags: r.tags ?? [] };
    // The passage each kind is cited from (FAQ layout, ingestion's own); the content is the kind's import mapping.
    if (r.type === 'fact') {
      if (r.statement) blocks.push({ kind: 'paragraph', text: r.statement });
      else blocks.push({ kind: 'question', text: `Q: ${r.question}` }, { kind: 'answer', text: `A: ${r.answer}` });
    } else if (r.type === 'rule') {
      blocks.push({ kind: 'heading', level: 2, text: r.name }, { kind: 'paragraph', text: r.then });
    } else {
      blocks.push({ kind: 'heading', level: 2, text: r.name });
      const g = ++group;
      r.steps.forEach((s, i) => blocks.push({ kind: 'list-item', ordered: true, index: i + 1, group: g, text: `${i + 1}. ${(s as { prompt?: string }).prompt ?? ''}` }));
    }
    const content: KnowledgeContent = kinds[r.type].toContent(r, common);
    records.push({ blocks: [first, blocks.length - 1], content });
  }
  if (records.length === 0) throw invalidDocument('empty', 'The FAQ file has no records.');
  return { blocks, records };
}

function withFactDefaults(text: string): { text: string; format: 'JSONL' } {
  const lines = text.split(/\r?\n/).map((line, i) => {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return line;
    try {
      const obj = JSON.parse(trimmed) as Record<string, unknown>;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        obj.type ??= 'fact';
        obj.externalId ??= `faq-${i + 1}`;
        return JSON.stringify(obj);
      }
    } catch {
      // left as written: the import parser reports the line with its number
    }
    return line;
  });
  return { text: lines.join('\n'), format: 'JSONL' };
}

function csvAsJsonl(text: string): { text: string; format: 'CSV' | 'JSONL' } {
  const header = (text.split(/\r?\n/, 1)[0] ?? '').toLowerCase();
  if (/(^|,)\s*"?type"?\s*(,|$)/.test(header)) return { text, format: 'CSV' };
  let rows: Record<string, string>[];
  try {
    rows = parseCsv<Record<string, string>>(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (err) {
    throw invalidDocument('invalid-faq', `The FAQ CSV could not be read: ${(err as Error).message}.`, err);
  }
  const lines = rows.map((row, i) => {
    const entities = (row.entities ?? '').split(/[;|]/).map((e) => e.trim()).filter(Boolean);
    return JSON.stringify({ type: 'fact', externalId: `faq-row-${i + 1}`, question: row.question || undefined, answer: row.answer || undefined, ...(entities.length ? { entities } : {}) });
  });
  return { text: lines.join('\n'), format: 'JSONL' };
}
