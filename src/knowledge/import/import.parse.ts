import { parse as parseCsvText } from 'csv-parse/sync';
import type { Problem } from '../rules/problem.js';
import { contentHash } from './content-hash.js';
import {
  CSV_COLUMN_ALIASES,
  CSV_COLUMNS,
  JSON_COLUMNS,
  LIST_SEPARATORS,
  REQUIRED_CSV_COLUMNS,
  splitList,
  type CsvColumn,
} from './csv.columns.js';
import { parseRecord } from './records.parse.js';
import type { KnowledgeRecord, RecordType } from './records.schema.js';

export const IMPORT_FORMATS = ['JSONL', 'CSV'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Defaults for `ImportOptions`. */
export const IMPORT_LIMITS = {
  /** Records one call accepts; the rest of the input is not read. */
  maxRecords: 50_000,
  /** Characters in one JSONL line or one CSV record (all its physical lines). */
  maxLineLength: 1_048_576,
  /** Errors reported before parsing gives up. */
  maxErrors: 1_000,
} as const;

export interface ImportOptions {
  /** Default `IMPORT_LIMITS.maxRecords` (50,000). */
  readonly maxRecords?: number;
  /** Default `IMPORT_LIMITS.maxLineLength` (1,048,576). */
  readonly maxLineLength?: number;
  /** Default `IMPORT_LIMITS.maxErrors` (1,000). */
  readonly maxErrors?: number;
}

export type ImportProblemCode =
  | 'invalid-json'
  | 'invalid-record'
  | 'duplicate-external-id'
  | 'invalid-csv'
  | 'invalid-header'
  | 'column-count'
  | 'line-too-long'
  | 'too-many-records'
  | 'too-many-errors';

export interface ImportProblem {
  /** 1-based physical line where the record starts (the header line for header problems). */
  readonly line: number;
  readonly code: ImportProblemCode;
  /** JSON path inside the record, e.g. `when.all[0].op`, for `invalid-record` problems. */
  readonly path?: string;
  /** `line 7: rule "when.all[0].op": unknown operator "lessThan" (…)`. */
  readonly message: string;
}

export interface ImportedRecord {
  readonly line: number;
  readonly record: KnowledgeRecord;
  /** See `contentHash`. */
  readonly contentHash: string;
}

export interface ImportParseResult {
  /** Every record that is valid on its own; write them only when `errors` is empty. */
  readonly records: ImportedRecord[];
  readonly errors: ImportProblem[];
}

/** `externalId`s are unique per graph label: facts, rules and processes share one namespace. */
const NAMESPACE: Record<RecordType, string> = {
  fact: 'knowledge',
  rule: 'knowledge',
  process: 'knowledge',
  intent: 'intent',
  entity: 'entity',
  document: 'document',
};

class Stop extends Error {}

class Collector {
  readonly records: ImportedRecord[] = [];
  readonly errors: ImportProblem[] = [];
  private count = 0;
  private readonly firstLine = new Map<string, number>();

  constructor(private readonly limits: Required<ImportOptions>) {}

  error(line: number, code: ImportProblemCode, text: string, path?: string): void {
    if (this.errors.length >= this.limits.maxErrors) {
      this.errors.push({ line, code: 'too-many-errors', message: `line ${line}: stopped after ${this.limits.maxErrors} errors` });
      throw new Stop();
    }
    this.errors.push({ line, code, ...(path === undefined ? {} : { path }), message: `line ${line}: ${text}` });
  }

  recordProblems(line: number, type: RecordType | undefined, problems: readonly Problem[]): void {
    for (const p of problems) {
      const where = p.path === '' ? (type ?? 'record') : type === undefined ? `"${p.path}"` : `${type} "${p.path}"`;
      this.error(line, 'invalid-record', `${where}: ${p.message}`, p.path);
    }
  }

  /** Counts a record against the limit; throws `Stop` past it. */
  admit(line: number): void {
    this.count += 1;
    if (this.count > this.limits.maxRecords) {
      this.errors.push({
        line,
        code: 'too-many-records',
        message: `line ${line}: more than ${this.limits.maxRecords} records in one import; split the file`,
      });
      throw new Stop();
    }
  }

  add(line: number, value: unknown): void {
    const result = parseRecord(value);
    if (!result.ok) {
      this.recordProblems(line, result.type, result.problems);
      return;
    }
    const { record } = result;
    const key = `${NAMESPACE[record.type]}\u0000${record.externalId}`;
    const first = this.firstLine.get(key);
    if (first !== undefined) {
      this.error(
        line,
        'duplicate-external-id',
        `${record.type} "externalId": duplicate externalId ${JSON.stringify(record.externalId)} (first on line ${first})`,
        'externalId',
      );
      return;
    }
    this.firstLine.set(key, line);
    this.records.push({ line, record, contentHash: contentHash(record) });
  }
}

/** One text for both formats: no BOM, every line break `\n` (line numbers are unchanged). */
function normalizeInput(data: string): string {
  return (data.charCodeAt(0) === 0xfeff ? data.slice(1) : data).replace(/\r\n?/g, '\n');
}

function parseJsonl(text: string, out: Collector, maxLineLength: number): void {
  const lines = text.split('\n');
  lines.forEach((content, i) => {
    const line = i + 1;
    if (content.trim() === '') return;
    out.admit(line);
    if (content.length > maxLineLength) {
      out.error(line, 'line-too-long', `line is ${content.length} characters long (at most ${maxLineLength})`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      out.error(line, 'invalid-json', `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    out.add(line, value);
  });
}

interface CsvRecordContext {
  readonly lines: number;
}

/** csv-parse reports the line a record ends on; its raw text tells how many lines it spans. */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

/** The first non-blank line after `afterLine`: where an unparseable record starts. */
function nextContentLine(lines: readonly string[], afterLine: number): number {
  let i = afterLine;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i += 1;
  return i + 1;
}

const COLUMN_BY_NAME = new Map<string, CsvColumn>([
  ...CSV_COLUMNS.map((c): [string, CsvColumn] => [c.toLowerCase(), c]),
  ...Object.entries(CSV_COLUMN_ALIASES),
]);

function readHeader(cells: readonly string[], line: number, out: Collector): CsvColumn[] | undefined {
  const columns: CsvColumn[] = [];
  let ok = true;
  for (const cell of cells) {
    const column = COLUMN_BY_NAME.get(cell.trim().toLowerCase());
    if (column === undefined) {
      out.error(line, 'invalid-header', `unknown column ${JSON.stringify(cell)} (expected columns from: ${CSV_COLUMNS.join(', ')})`);
      ok = false;
    } else if (columns.includes(column)) {
      out.error(line, 'invalid-header', `column "${column}" appears twice`);
      ok = false;
    } else columns.push(column);
  }
  for (const required of REQUIRED_CSV_COLUMNS) {
    if (ok && !columns.includes(required)) {
      out.error(line, 'invalid-header', `missing column "${required}"`);
      ok = false;
    }
  }
  return ok ? columns : undefined;
}

function csvRow(columns: readonly CsvColumn[], cells: readonly string[], line: number, out: Collector): void {
  const value: Record<string, unknown> = {};
  const problems: Problem[] = [];
  columns.forEach((column, i) => {
    const cell = cells[i] ?? '';
    if (cell.trim() === '') return;
    const separator = LIST_SEPARATORS[column];
    if (separator !== undefined) value[column] = splitList(cell, separator);
    else if (JSON_COLUMNS.has(column)) {
      try {
        value[column] = JSON.parse(cell);
      } catch (error) {
        problems.push({ path: column, code: 'invalid', message: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` });
      }
    } else value[column] = cell;
  });
  if (problems.length > 0) {
    const type = typeof value.type === 'string' ? (value.type.trim().toLowerCase() as RecordType) : undefined;
    out.recordProblems(line, type, problems);
    return;
  }
  out.add(line, value);
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a closing quote (write "" for a quote inside a quoted field)',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and write "" for the quote)',
};

function parseCsv(text: string, out: Collector, maxLineLength: number): void {
  let columns: CsvColumn[] | undefined;
  let headerSeen = false;
  let lastEnd = 0;
  const onRecord = ({ record, raw }: { record: string[]; raw: string }, context: CsvRecordContext): null => {
    const line = startLine(context.lines, raw);
    lastEnd = context.lines;
    if (record.every((cell) => cell.trim() === '')) return null;
    if (!headerSeen) {
      headerSeen = true;
      columns = readHeader(record, line, out);
      if (columns === undefined) throw new Stop();
      return null;
    }
    const header = columns ?? [];
    out.admit(line);
    if (record.length !== header.length) {
      out.error(line, 'column-count', `expected ${header.length} fields as in the header, found ${record.length}`);
      return null;
    }
    csvRow(header, record, line, out);
    return null;
  };
  try {
    parseCsvText(text, {
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: maxLineLength,
      on_record: onRecord as never,
    });
  } catch (error) {
    if (error instanceof Stop) throw error;
    const code = (error as { code?: string }).code ?? '';
    const line = nextContentLine(text.split('\n'), lastEnd);
    if (code === 'CSV_MAX_RECORD_SIZE') {
      out.error(line, 'line-too-long', `record is longer than ${maxLineLength} characters`);
    } else {
      out.error(line, 'invalid-csv', `invalid CSV: ${CSV_ERRORS[code] ?? (error instanceof Error ? error.message : String(error))}`);
    }
    return;
  }
  if (!headerSeen) out.error(1, 'invalid-header', 'the CSV has no header row');
}

/**
 * Parses an importKnowledge payload. Pure: no I/O, no clock. Every record is validated on its
 * own (rules with the condition grammar, processes with the flow checks); problems carry the
 * 1-based physical line the record starts on, counted after a BOM is dropped, with `\r\n`, `\r`
 * and `\n` each one line break and blank lines counted but skipped. CSV records spanning several
 * lines (quoted line breaks) are reported at their first line.
 */
export function parseKnowledgeImport(data: string, format: ImportFormat, options: ImportOptions = {}): ImportParseResult {
  const limits: Required<ImportOptions> = {
    maxRecords: options.maxRecords ?? IMPORT_LIMITS.maxRecords,
    maxLineLength: options.maxLineLength ?? IMPORT_LIMITS.maxLineLength,
    maxErrors: options.maxErrors ?? IMPORT_LIMITS.maxErrors,
  };
  const out = new Collector(limits);
  const text = normalizeInput(data);
  try {
    if (format === 'CSV') parseCsv(text, out, limits.maxLineLength);
    else parseJsonl(text, out, limits.maxLineLength);
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  return { records: out.records, errors: out.errors };
}

/** `line 7: rule "when.all[0].op": …` lines for a log or an error message. */
export function formatImportProblems(problems: readonly ImportProblem[]): string {
  return problems.map((p) => p.message).join('\n');
}
