/**
 * The CSV layout of import records. One header row names the columns (any order, any subset
 * that includes `type` and `externalId`; names are case-insensitive). An empty cell is an absent
 * field.
 */
export const CSV_COLUMNS = [
  'type',
  'externalId',
  'name',
  'question',
  'answer',
  'statement',
  'questions',
  'language',
  'visibility',
  'entities',
  'tags',
  'intentName',
  'examples',
  'handlers',
  'entityType',
  'aliases',
  'description',
  'intent',
  'when',
  'then',
  'otherwise',
  'steps',
  'title',
  'mediaType',
  'content',
  'source',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export const REQUIRED_CSV_COLUMNS: readonly CsvColumn[] = ['type', 'externalId'];

/**
 * List columns and their separators. Names (`entities`, `tags`, `aliases`) use `;`; sentences
 * (`examples`, a fact's similar `questions`) use `|`. A backslash escapes the separator or itself: `a\;b` is one item `a;b`.
 */
export const LIST_SEPARATORS: Partial<Record<CsvColumn, ';' | '|'>> = {
  entities: ';',
  tags: ';',
  aliases: ';',
  examples: '|',
  questions: '|',
};

/** Columns holding JSON: a rule's condition, a process's steps, an intent's handlers. */
export const JSON_COLUMNS: ReadonlySet<CsvColumn> = new Set<CsvColumn>(['when', 'steps', 'handlers']);

/** Other accepted header names. */
export const CSV_COLUMN_ALIASES: Readonly<Record<string, CsvColumn>> = { else: 'otherwise' };

/** Splits a list cell on `separator`, honouring `\` escapes; blank items are dropped. */
export function splitList(cell: string, separator: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < cell.length; i += 1) {
    const ch = cell[i] ?? '';
    const next = cell[i + 1];
    if (ch === '\\' && (next === separator || next === '\\')) {
      current += next;
      i += 1;
    } else if (ch === separator) {
      items.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** The inverse of `splitList`. */
export function joinList(items: readonly string[], separator: string): string {
  return items.map((item) => item.replaceAll('\\', '\\\\').replaceAll(separator, `\\${separator}`)).join(separator);
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One RFC 4180 field. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
