import { createHash } from 'node:crypto';
import type { KnowledgeRecord } from './records.schema.js';

/** JSON with object keys sorted at every level and `undefined` left out: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Lists whose order carries no meaning; sorted before hashing so reordering is "unchanged". */
const SET_FIELDS = ['entities', 'tags', 'aliases', 'examples'] as const;

/** The record's meaning: everything but its identity (`externalId`), with set-like lists sorted. */
export function semanticContent(record: KnowledgeRecord): Record<string, unknown> {
  const { externalId: _identity, ...content } = record;
  const out: Record<string, unknown> = { ...content };
  for (const field of SET_FIELDS) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = [...(list as string[])].sort();
  }
  return out;
}

/**
 * sha256 (hex) of the canonical JSON of a record's semantic fields. Re-importing the same
 * `externalId` with the same hash is "unchanged"; a different hash is "updated". Parsing
 * normalises first, so whitespace, key order, a defaulted `visibility` or list order do not count.
 */
export function contentHash(record: KnowledgeRecord): string {
  return createHash('sha256').update(canonicalJson(semanticContent(record))).digest('hex');
}
