import type { Visibility } from '../auth/roles.js';
import type { KnowledgeContent } from '../knowledge/knowledge.content.js';

/**
 * Data that flows between the ingestion stages. Every offset (`start`, `end`) is a UTF-16 index into
 * the document's *normalised, de-identified* text — the text stored on `Document.text`, so that
 * `document.text.slice(start, end)` is always the quoted passage.
 */

/** What a caller submits (GraphQL `IngestDocumentInput`, the CLI). */
export interface IngestRequest {
  title: string;
  mediaType: string;
  /** Text as is; binary formats (PDF, DOCX) base64. */
  content: string;
  /** Stable name of the document (URL, path, `seed:…`); versions of one source supersede each other. */
  source: string;
  language: string | null;
  visibility: Visibility;
  /** Drafts of a trusted source are published directly, without review tasks. */
  trusted: boolean;
  /** API key id of the submitter (audit). */
  by: string | null;
}

export type BlockKind = 'heading' | 'paragraph' | 'list-item' | 'table-row' | 'question' | 'answer';

/** One structural unit of a parsed document. */
export interface Block {
  kind: BlockKind;
  text: string;
  /** Heading level 1–6. */
  level?: number;
  /** List items: ordered list and the item's number. */
  ordered?: boolean;
  index?: number;
  /** Blocks with the same `group` belong to one list or table. */
  group?: number;
}

/** A block placed in the document text: `text.slice(start, end) === block.text`. */
export interface PlacedBlock extends Block {
  start: number;
  end: number;
}

export interface Span {
  start: number;
  end: number;
}

export type PiiType = 'EMAIL' | 'PHONE' | 'CN_ID' | 'CARD';

export interface ChunkData extends Span {
  index: number;
  text: string;
}

/** A value the patterns recognised (not a graph entity). */
export type ValueType = 'Amount' | 'Date' | 'Duration' | 'Percentage';

export interface ValueMention extends Span {
  type: ValueType;
  text: string;
  /** Normalised value: `{amount, currency}`, `{date}` (ISO), `{days}` or `{value, unit}`, `{percent}`. */
  value: Record<string, string | number>;
}

export type MentionSource = 'gazetteer' | 'pattern' | 'ner';

/** A mention of something that may be (or become) a graph entity. */
export interface EntityCandidate extends Span {
  text: string;
  /** Entity type from the controlled vocabulary (see `entityTypes`). */
  type: string;
  source: MentionSource;
  confidence: number;
  /** Set when the gazetteer matched a known entity. */
  entityId?: string;
}

/** How a candidate was resolved against the graph. */
export interface ResolvedMention extends Span {
  text: string;
  chunkIndex: number;
  /** Entity key (normalised name) of the graph entity it links to. */
  key: string;
  source: MentionSource;
  confidence: number;
}

export interface NewEntity {
  key: string;
  name: string;
  type: string;
  /** base64 Float32 embedding of the name, when one was computed. */
  embedding: string | null;
}

export interface MergeSuggestion {
  /** Key of the new entity this document introduced. */
  key: string;
  candidateId: string;
  candidateName: string;
  score: number;
}

export const relationTypes = ['COVERS', 'INCLUDES', 'REQUIRES', 'APPLIES_TO', 'AVAILABLE_AT', 'COMPATIBLE_WITH', 'REPLACES', 'RELATED_TO'] as const;
export type RelationType = (typeof relationTypes)[number];

export interface RelationData {
  type: RelationType;
  headKey: string;
  tailKey: string;
  confidence: number;
  chunkIndex: number;
  /** The sentence the relation was read from. */
  start: number;
  end: number;
  /** What gave it away: the trigger phrase, or `co-occurrence`. */
  evidence: string;
}

export type DraftKind = 'fact' | 'rule' | 'process';

/** A knowledge item proposed from a passage of the document. */
export interface DraftData extends Span {
  /** Stable within one document version: `qa-3`, `rule-7`… */
  ref: string;
  content: KnowledgeContent;
  /** Entity keys mentioned inside the passage (filled by resolution). */
  entityKeys: string[];
  /** Why it is a draft of this kind (shown to reviewers). */
  reason: string;
}

/** Per-stage counters, reported on the job. */
export interface IngestionCounts {
  blocks: number;
  chunks: number;
  piiFound: number;
  values: number;
  mentions: number;
  entitiesLinked: number;
  entitiesCreated: number;
  mergeSuggestions: number;
  relations: number;
  drafts: number;
  reviewTasks: number;
  sourceRemoved: number;
}

export const emptyCounts = (): IngestionCounts => ({
  blocks: 0,
  chunks: 0,
  piiFound: 0,
  values: 0,
  mentions: 0,
  entitiesLinked: 0,
  entitiesCreated: 0,
  mergeSuggestions: 0,
  relations: 0,
  drafts: 0,
  reviewTasks: 0,
  sourceRemoved: 0,
});

/** The output of the CPU `prepare` job, input of the model job. */
export interface PreparedDocument {
  jobId: string;
  documentId: string;
  contentHash: string;
  title: string;
  mediaType: string;
  source: string;
  language: string;
  visibility: Visibility;
  trusted: boolean;
  by: string | null;
  text: string;
  blocks: PlacedBlock[];
  chunks: ChunkData[];
  values: ValueMention[];
  candidates: EntityCandidate[];
  drafts: DraftData[];
  piiFound: number;
  /** True for FAQ files: drafts come straight from records, not from text analysis. */
  structured: boolean;
}

/** Output of the model job: vectors (base64 Float32) and model mentions. */
export interface InferredDocument {
  chunkEmbeddings: Array<string | null>;
  draftEmbeddings: Array<string | null>;
  /** Candidate name (entity key) → embedding. */
  nameEmbeddings: Record<string, string>;
  nerCandidates: EntityCandidate[];
  modelMs: number;
  embeddingModel: string | null;
  chunkEmbeddingModel: string | null;
  nerModel: string | null;
}
