import { problemsFromZod, type Problem } from '../rules/problem.js';
import { RECORD_FIELDS, RECORD_SCHEMAS, RECORD_TYPES, type KnowledgeRecord, type RecordType } from './records.schema.js';

export type RecordCheck =
  | { readonly ok: true; readonly record: KnowledgeRecord }
  | { readonly ok: false; readonly type?: RecordType; readonly problems: Problem[] };

const ALL_FIELDS = new Set(Object.values(RECORD_FIELDS).flat());

/** Same keys, in the documented field order, so records print and export predictably. */
function inFieldOrder<T extends KnowledgeRecord>(record: T): T {
  const fields = record as unknown as Record<string, unknown>;
  const entries = RECORD_FIELDS[record.type].filter((f) => fields[f] !== undefined).map((f) => [f, fields[f]]);
  return Object.fromEntries(entries) as T;
}

/** Validates one decoded record (a JSONL object or a CSV row as an object). */
export function parseRecord(input: unknown): RecordCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: '', code: 'invalid', message: 'expected a JSON object' }] };
  }
  const raw = input as Record<string, unknown>;
  const typeName = typeof raw.type === 'string' ? raw.type.trim().toLowerCase() : raw.type;
  if (!RECORD_TYPES.includes(typeName as RecordType)) {
    const message =
      typeName === undefined
        ? `is required (one of ${RECORD_TYPES.join(', ')})`
        : `unknown record type ${JSON.stringify(raw.type)} (expected one of ${RECORD_TYPES.join(', ')})`;
    return { ok: false, problems: [{ path: 'type', code: 'invalid', message }] };
  }
  const type = typeName as RecordType;
  const result = RECORD_SCHEMAS[type].safeParse({ ...raw, type });
  if (result.success) return { ok: true, record: inFieldOrder(result.data) };
  const problems = problemsFromZod(result.error).map((p) =>
    p.code === 'unknown-field' && ALL_FIELDS.has(p.path) ? { ...p, message: `does not apply to ${type} records` } : p,
  );
  return { ok: false, type, problems };
}
