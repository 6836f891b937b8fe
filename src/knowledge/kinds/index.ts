import type { Visibility } from '../../auth/roles.js';
import { AppError } from '../../errors.js';
import type { KnowledgeRecord } from '../import/index.js';
import { knowledgeKinds, type KnowledgeKind, type KnowledgeRow } from '../knowledge.repository.js';
import { factKind, type FactContent } from './fact.js';
import { processKind, type ProcessContent } from './process.js';
import { ruleKind, type RuleContent } from './rule.js';
import { guessLanguage, picked, type CommonContent, type FieldType, type KindSpec, type KnowledgePatch } from './spec.js';

/**
 * The knowledge-kind registry: one module per kind (`fact.ts`, `rule.ts`, `process.ts`), each a
 * `KindSpec` holding everything that differs by kind — fields, validation, hash fields, graph
 * properties, search and embedding text, import records, the patch merge. Callers ask
 * `kinds[content.kind]` instead of switching on the kind. docs/knowledge-kinds.md walks through adding one.
 */

/** The content of a knowledge item, as editors and imports write it (one shape for every write path). */
export type KnowledgeContent = FactContent | RuleContent | ProcessContent;
export type ContentOf<K extends KnowledgeKind> = Extract<KnowledgeContent, { kind: K }>;
/** Import records of knowledge items (not entities, intents or documents). */
export type KnowledgeItemRecord = Extract<KnowledgeRecord, { type: KnowledgeKind }>;
export type RecordOf<K extends KnowledgeKind> = Extract<KnowledgeRecord, { type: K }>;

// Every kind has a content type in KnowledgeContent and an import record in KnowledgeRecord
// (`import/records.schema.ts`): a kind without one is named in the compile error here.
type Missing<T extends Record<KnowledgeKind, unknown>> = { [K in KnowledgeKind]: [T[K]] extends [never] ? K : never }[KnowledgeKind];
const _everyKindHasContent: [Missing<{ [K in KnowledgeKind]: ContentOf<K> }>] extends [never] ? true : Missing<{ [K in KnowledgeKind]: ContentOf<K> }> = true;
const _everyKindHasARecord: [Missing<{ [K in KnowledgeKind]: RecordOf<K> }>] extends [never] ? true : Missing<{ [K in KnowledgeKind]: RecordOf<K> }> = true;

/**
 * One spec per kind, typed over `KnowledgeKind`: a kind added to `knowledgeKinds` does not compile
 * until it has a spec here, and a spec does not compile until it has every part.
 */
const registry: { readonly [K in KnowledgeKind]: KindSpec<ContentOf<K>, RecordOf<K>> } = {
  fact: factKind,
  rule: ruleKind,
  process: processKind,
};

/**
 * The registry as callers use it: `kinds[content.kind].toProps(content)`. (Typed over the content
 * union, since TypeScript cannot correlate `kinds[c.kind]` with `c`; `registry` above checks each
 * spec against its own kind.)
 */
export const kinds: Readonly<Record<KnowledgeKind, KindSpec<KnowledgeContent, KnowledgeItemRecord>>> = registry as unknown as Record<
  KnowledgeKind,
  KindSpec<KnowledgeContent, KnowledgeItemRecord>
>;

/**
 * Every kind field once, in registry order, with its type: the kind fields of the GraphQL inputs and
 * the graph properties `knowledge/upsert` writes (a kind's props clear the others'). Two kinds may
 * share a field (`name`) only with one type.
 */
export const contentFields: Readonly<Record<string, FieldType>> = (() => {
  const out: Record<string, FieldType> = {};
  for (const kind of knowledgeKinds) {
    const fields: Readonly<Record<string, FieldType>> = kinds[kind].fields;
    for (const [field, type] of Object.entries(fields)) {
      if (out[field] && out[field] !== type) throw new Error(`Knowledge field "${field}" is ${out[field]} in one kind and ${type} in ${kind}.`);
      out[field] = type;
    }
  }
  return out;
})();

/** `fact, rule or process` (with `extra` kinds of things appended), for messages and descriptions. */
export function kindList(extra: readonly string[] = []): string {
  const all = [...knowledgeKinds, ...extra];
  return all.length < 2 ? all.join('') : `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
}

/** The common part of a stored item. */
export function commonOfRow(row: Pick<KnowledgeRow, 'externalId' | 'language' | 'visibility' | 'tags'>, entities: string[]): CommonContent {
  return { externalId: row.externalId, language: row.language, visibility: row.visibility, entities, tags: row.tags ?? [] };
}

/** Reads stored content back (updates, exports, diffs). StoredContentError when stored JSON does not parse. */
export function fromRow(row: KnowledgeRow, entities: string[]): KnowledgeContent {
  return kinds[row.kind].fromRow(row, commonOfRow(row, entities));
}

/** Text fields longer than this are refused (GraphQL writes and review edits). */
export const MAX_TEXT = 20_000;

/**
 * The one patch merge: `patch` over `base` (createKnowledge has no base; updateKnowledge and review
 * edits pass the stored content). Omitted or null fields keep base's value; entity names are
 * trimmed; a new item's language is guessed from its text when not given; the kind adjusts the rest
 * (`KindSpec.merge`). Text longer than MAX_TEXT is BAD_USER_INPUT.
 */
export function mergeContent(kind: KnowledgeKind, patch: KnowledgePatch, base?: KnowledgeContent): KnowledgeContent {
  for (const [k, v] of Object.entries(patch)) {
    if (typeof v === 'string' && v.length > MAX_TEXT) throw new AppError('BAD_USER_INPUT', `${k} is longer than ${MAX_TEXT} characters.`);
  }
  const spec = kinds[kind];
  const text = spec.languageFields.map((f) => patch[f]).filter(Boolean).join(' ');
  const common: CommonContent = {
    externalId: picked<string>(patch, 'externalId', base) ?? null,
    language: picked<string>(patch, 'language', base) ?? guessLanguage(text),
    visibility: picked<Visibility>(patch, 'visibility', base) ?? 'PUBLIC',
    entities: (picked<string[]>(patch, 'entities', base) ?? []).map((e) => e.trim()).filter(Boolean),
    tags: picked<string[]>(patch, 'tags', base) ?? [],
  };
  return spec.merge(patch, common, base);
}

export { factKind, processKind, ruleKind };
export type { FactContent, ProcessContent, RuleContent };
export { guessLanguage, storedJson, StoredContentError, type CommonContent, type FieldType, type KindSpec, type KnowledgePatch, type StoredRow } from './spec.js';
