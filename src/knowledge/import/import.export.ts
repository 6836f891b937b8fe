import { CSV_COLUMNS, JSON_COLUMNS, LIST_SEPARATORS, csvField, joinList, type CsvColumn } from './csv.columns.js';
import type { ImportFormat } from './import.parse.js';
import { RECORD_FIELDS, type KnowledgeRecord } from './records.schema.js';

/** A record's fields in the documented order, without empty lists or absent values. */
function ordered(record: KnowledgeRecord): Record<string, unknown> {
  const fields = record as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS[record.type]) {
    const value = fields[field];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[field] = value;
  }
  return out;
}

function cell(column: CsvColumn, value: unknown): string {
  if (value === undefined) return '';
  const separator = LIST_SEPARATORS[column];
  if (separator !== undefined && Array.isArray(value)) return joinList(value as string[], separator);
  if (JSON_COLUMNS.has(column)) return JSON.stringify(value);
  return String(value);
}

/**
 * Writes records in an import format; parsing the output gives back equal records. JSONL is one
 * object a line; CSV has a header of the columns the records use, in `CSV_COLUMNS` order, with
 * rule conditions and process steps as JSON cells. Lines end in `\n` (JSONL) or `\r\n` (CSV).
 */
export function exportRecords(records: readonly KnowledgeRecord[], format: ImportFormat): string {
  const rows = records.map(ordered);
  if (format === 'JSONL') return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  const used = new Set<string>(['type', 'externalId']);
  for (const row of rows) for (const key of Object.keys(row)) used.add(key);
  const columns = CSV_COLUMNS.filter((c) => used.has(c));
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvField(cell(c, row[c]))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
