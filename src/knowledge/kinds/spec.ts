import type { Visibility } from '../../auth/roles.js';
import { AppError } from '../../errors.js';
import type { KnowledgeKind } from '../knowledge.repository.js';

/**
 * What every knowledge kind shares: the part of the content that is not the kind's own. Items of
 * every kind have it; `kinds/<kind>.ts` adds the kind's fields.
 */
export interface CommonContent {
  externalId?: string | null;
  language: string;
  visibility: Visibility;
  /** Entity names (or aliases) the item is ABOUT. */
  entities: string[];
  tags: string[];
}

/** The fields of a content type that belong to its kind (everything but `kind` and the common part). */
export type KindField<C> = Exclude<keyof C, 'kind' | keyof CommonContent> & string;

/**
 * How a kind's field travels: `string` is a graph property and a GraphQL `String`; `json` (a rule's
 * condition, a process's steps) is stored as JSON text and is a GraphQL `JSON`.
 */
export type FieldType = 'string' | 'json';

/**
 * A stored knowledge item as far as decoding needs it: the row `knowledge/*` queries return
 * (`k {.*}`), or the narrower rows of the embedding sweeps. Absent properties read as absent.
 */
export interface StoredRow {
  id?: string;
  kind: string;
}

const property = (row: StoredRow, field: string): unknown => (row as unknown as Record<string, unknown>)[field];

/**
 * Changes to an item, as GraphQL's KnowledgeInput, KnowledgePatch and ReviewEdits carry them: an
 * omitted or null field keeps the current value (on create there is none). Kind fields that do not
 * apply to the item's kind are ignored.
 */
export interface KnowledgePatch {
  externalId?: string | null;
  language?: string | null;
  visibility?: Visibility | null;
  entities?: string[] | null;
  tags?: string[] | null;
  /** Kind fields: strings for `string` fields, any JSON for `json` fields. */
  [field: string]: unknown;
}

/**
 * Stored JSON (a rule's `when`, a process's `steps`) that does not parse: the graph holds something
 * no write path produced (writes are validated). A fault, never a silent null: GraphQL returns
 * INTERNAL and the server logs it with the item, kind and field.
 */
export class StoredContentError extends AppError {
  override name = 'StoredContentError';
  constructor(
    readonly itemId: string | null,
    readonly kind: string,
    readonly field: string,
    cause: unknown,
  ) {
    super('INTERNAL', `Stored ${kind} ${itemId ?? '(unknown id)'}: "${field}" is not valid JSON.`, { itemId, kind, field }, { cause });
  }
}

/**
 * Parses a stored JSON property; absent reads as `empty`. Throws StoredContentError when the stored
 * text is not JSON.
 */
export function storedJson(row: StoredRow, field: string, empty: string): unknown {
  const value = property(row, field);
  const text = value === undefined || value === null ? empty : String(value);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new StoredContentError(row.id ?? null, row.kind, field, cause);
  }
}

/** A stored string property (absent stays as it is: `undefined` and `null` hash differently). */
export const storedString = (row: StoredRow, field: string): string | null | undefined => property(row, field) as string | null | undefined;

/** `f` over a text that is there; null, undefined and '' stay as they are. */
export const whenText =
  (f: (text: string) => string) =>
  <T extends string | null | undefined>(s: T): T =>
    (s ? f(s) : s) as T;

/** A patch value, or the base's when the patch leaves it out (undefined or null). */
export function picked<T>(patch: KnowledgePatch, field: string, base: object | undefined): T | undefined {
  const v = patch[field];
  if (v !== undefined && v !== null) return v as T;
  return base ? ((base as Record<string, unknown>)[field] as T | undefined) : undefined;
}

/**
 * One knowledge kind: every place that treats a kind differently asks its spec. `kinds/index.ts`
 * holds one spec per kind in a registry typed over `KnowledgeKind`, so a kind added to that union
 * does not compile until its spec provides every part below.
 *
 * `C` is the kind's content; `R` its import record (`src/knowledge/import`, the import/export format).
 */
export interface KindSpec<C extends CommonContent & { kind: KnowledgeKind }, R extends { type: string }> {
  readonly kind: C['kind'];
  /** Graph label and GraphQL object type of the kind (Fact, Rule, Process). */
  readonly label: string;
  /**
   * The kind's own content fields. Each is a graph property of the same name (`toProps`) and a
   * field of the GraphQL inputs KnowledgeInput, KnowledgePatch and ReviewEdits (built from the
   * union over all kinds).
   */
  readonly fields: { readonly [F in KindField<C>]-?: FieldType };
  /** Fields a new item's language is guessed from when none is given. */
  readonly languageFields: readonly KindField<C>[];
  /** What is wrong with the content, as sentences; empty means valid (`contentProblems`). */
  problems(c: C): string[];
  /**
   * The kind's part of the content hash (`semanticFields`). Its keys, in order, are also the fields
   * history and the review diff compare (`changedFields`). Changing it changes every stored hash.
   */
  semantic(c: C): Record<string, unknown>;
  /** Graph properties of the kind's fields for `knowledge/upsert` (JSON fields as JSON text). */
  toProps(c: C): Record<KindField<C>, string | null>;
  /** Fulltext's extra text (`searchText`), or null when the indexed fields (question, answer, statement, name) say it all. */
  searchText(c: C): string | null;
  /** Reads stored content back. StoredContentError when a stored JSON field does not parse. */
  fromRow(row: StoredRow, common: CommonContent): C;
  /** The text an item is embedded from: what a customer's question should be near. */
  embeddingText(c: C): string;
  /** The content with `f` applied to every free text a customer or editor wrote (PII masking). */
  mapText(c: C, f: (text: string) => string): C;
  /** An import record → content (`importKnowledge`, FAQ ingestion). */
  toContent(r: R, common: CommonContent): C;
  /** Content → the kind's fields of its export record (`exportKnowledge`; importing it back is unchanged). */
  toRecord(c: C): Omit<R, 'type' | 'externalId' | 'language' | 'visibility' | 'entities' | 'tags'>;
  /**
   * The kind's fields of `patch` over `base` (null or omitted keeps base's; no base: a new item).
   * `common` is already merged; the kind may adjust it (a rule drops `needs-condition` once its
   * condition is written). Used by createKnowledge, updateKnowledge and review edits alike.
   */
  merge(patch: KnowledgePatch, common: CommonContent, base: C | undefined): C;
  /** A one-line title for lists and suggestions. */
  title(c: C): string;
}

const cjk = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;

/** en or zh by script: enough to route content whose language was not given. */
export function guessLanguage(text: string): 'en' | 'zh' {
  const han = text.match(cjk)?.length ?? 0;
  const letters = text.replace(/\s/g, '').length || 1;
  return han / letters > 0.2 ? 'zh' : 'en';
}
