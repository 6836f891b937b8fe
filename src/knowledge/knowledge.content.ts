import { createHash } from 'node:crypto';
import { canonicalJson } from './import/index.js';
import { contentFields, kinds, type KnowledgeContent } from './kinds/index.js';
import type { KnowledgeKind } from './knowledge.repository.js';

/**
 * The content of a knowledge item, as editors and imports write it. One shape for GraphQL
 * create/update, JSONL/CSV import and export, so every path hashes and stores alike. What differs by
 * kind lives in the kind registry (`kinds/`); these functions are the kind-independent part.
 */
export type { FactContent, KnowledgeContent, ProcessContent, RuleContent } from './kinds/index.js';
export { fromRow, guessLanguage } from './kinds/index.js';

export { canonicalJson };

/** The fields that make up an item's meaning; status and bookkeeping are not content. */
export function semanticFields(c: KnowledgeContent): Record<string, unknown> {
  const common = { kind: c.kind, language: c.language, visibility: c.visibility, entities: [...c.entities].sort(), tags: [...c.tags].sort() };
  return { ...common, ...kinds[c.kind].semantic(c) };
}

export function contentHash(c: KnowledgeContent): string {
  return createHash('sha256').update(canonicalJson(semanticFields(c))).digest('hex');
}

/**
 * Graph properties for `knowledge/upsert`: the kind's fields (conditions and steps as JSON text),
 * every other kind's fields null, and `searchText` for the fulltext index.
 */
export function toProps(c: KnowledgeContent): Record<string, string | string[] | null> {
  const base = { language: c.language, visibility: c.visibility, tags: c.tags };
  const empty = Object.fromEntries(Object.keys(contentFields).map((f) => [f, null]));
  const spec = kinds[c.kind];
  return { ...empty, ...base, ...spec.toProps(c), searchText: spec.searchText(c) };
}

/** Which semantic fields differ between two versions (for the history's "what changed"). */
export function changedFields(before: KnowledgeContent | null, after: KnowledgeContent): string[] {
  const a = semanticFields(after);
  if (!before) return Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
  const b = semanticFields(before);
  return Object.keys(a).filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null));
}

export function displayTitle(c: KnowledgeContent): string {
  return kinds[c.kind].title(c);
}

export const kindLabel: Readonly<Record<KnowledgeKind, string>> = Object.fromEntries(Object.entries(kinds).map(([k, spec]) => [k, spec.label])) as Record<KnowledgeKind, string>;
