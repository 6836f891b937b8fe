import type { AuditEventRow } from './audit/audit.service.js';
import type { ApiKeyRecord } from './auth/api-keys.js';
import type { KnowledgeStatus } from './auth/roles.js';
import type { IntentHandler } from './dialogue/intent-model.js';
import type { KnownEntity } from './ingestion/gazetteer.js';
import type { GraphNeighbourhood } from './knowledge/entity.repository.js';
import type { IntentRow } from './knowledge/intent.repository.js';
import type { EntityRow, ExistingItem, KnowledgeRow, SourceRow, VersionRow } from './knowledge/knowledge.repository.js';
import type { GapListRow, GapStatus } from './learning/gaps.js';
import type { QualityHistoryRow, QualityInputRow } from './learning/quality.service.js';
import type { Suggestion, SuggestionCandidates } from './learning/suggestions.js';
import type { EmbeddingStateRow } from './retrieval/embedding-models.js';
import type { EntityCandidate } from './retrieval/entity-linker.js';
import type { PendingRow } from './retrieval/knowledge-embedder.js';
import type { HybridRow } from './retrieval/retriever.js';
import type { ReleaseCandidateRow, ReleaseRow } from './review/release.service.js';
import type { ReviewDiffRow } from './review/review.diff.js';
import type { ReviewTaskRow } from './review/review.repository.js';

/** The one-row answer of a paged list query: the number of matches and one page of them. */
export interface Page<T> {
  total: number;
  items: T[];
}

/**
 * The row type of each named query: `executor.read('learning/quality-due', p)` (and `write`, and `tx.run` in
 * a transaction) returns `Promise<QueryRows['learning/quality-due'][]>`; a name not listed here returns
 * untyped `Row`s, so queries join this map one at a time. This map is the one place a query's row
 * shape is declared: a type written here (or, for a domain type, where it is defined and imported
 * here) follows the query's RETURN clause (see its `Returns:` header), column for column.
 *
 * Values are what the executor makes of Neo4j's (`toPlain` in executor.ts): integers are numbers,
 * DateTime values ISO strings (other temporal values their Cypher text), nodes their properties, and a
 * missing property null. Nothing checks rows against these types at run time: a query changed here
 * changes its type here. `query-rows.test.ts` checks that every name is a query file.
 *
 * The map fills in the `QueryRows` interface of src/graph/executor.ts (module augmentation): it needs the
 * modules' types, and the graph layer may not know the modules (docs/design.md), so it lives above both,
 * like app.ts. Nothing imports this file; the compiler reads it with the rest of src/.
 */
declare module './graph/executor.js' {
  interface QueryRows {
    'audit/list': Page<AuditEventRow>;

    'auth/create-api-key': Omit<Required<ApiKeyRecord>, 'revokedAt'>;
    'auth/find-api-key': Pick<ApiKeyRecord, 'id' | 'name' | 'role' | 'grants'>;
    'auth/list-api-keys': Required<ApiKeyRecord>;
    'auth/revoke-api-key': { id: string; revokedAt: string };

    'dialogue/intent-handlers': IntentHandler;

    'entities/get-by-ids': { entity: EntityRow };
    'entities/knowledge-of': { id: string; items: KnowledgeRow[] };
    'entities/neighbourhood': GraphNeighbourhood;
    'entities/search': Page<EntityRow>;

    'ingestion/entity-dictionary': KnownEntity;

    'intents/all-examples': { name: string; examples: string[]; contentHash: string | null };
    'intents/list': Page<IntentRow>;

    'knowledge/entities-of': { id: string; entities: EntityRow[] };
    'knowledge/existing-by-external-ids': ExistingItem & { externalId: string };
    'knowledge/export': { item: KnowledgeRow; entities: string[] };
    'knowledge/export-by-ids': { item: KnowledgeRow; entities: string[] };
    'knowledge/get-by-ids': { item: KnowledgeRow };
    'knowledge/history-of': { id: string; versions: VersionRow[] };
    'knowledge/link-entity': { item: KnowledgeRow; entityFound: boolean };
    'knowledge/list': Page<KnowledgeRow>;
    'knowledge/list-text': Page<KnowledgeRow>;
    /** `allowed`: whether the item's status allowed the move (when not, nothing changed); `previous`: its status before. */
    'knowledge/set-status': { item: KnowledgeRow; allowed: boolean; previous: KnowledgeStatus };
    'knowledge/sources-of': { id: string; sources: SourceRow[] };

    'learning/add-suggestions': { created: number };
    'learning/gap-candidates': { id: string; text: string; language: string | null; at: string; reason: 'not-helpful' | 'unanswered' | 'escalated' | 'low-confidence' };
    'learning/gap-leaders': { id: string; language: string; text: string; vector: number[] | null; model: string | null };
    'learning/gap-list': GapListRow;
    'learning/gap-lock': { id: string; version: number; status: GapStatus; language: string; leader: string; texts: string[] };
    'learning/gap-lock-read': { id: string; texts: string[] };
    'learning/list-suggestions': Required<Suggestion>;
    'learning/quality-due': { id: string };
    /** `inputs`: the JSON text of the QualityInputs. */
    'learning/quality-history': { id: string; history: Array<Omit<QualityHistoryRow, 'inputs'> & { inputs: string }> };
    'learning/quality-inputs': QualityInputRow;
    'learning/set-quality': { id: string; demoted: boolean };
    'learning/set-review-by': { id: string };
    'learning/suggestion-candidates': SuggestionCandidates;

    'retrieval/embedding-state': EmbeddingStateRow;
    'retrieval/hybrid': HybridRow;
    'retrieval/init-embedding-state': { model: string };
    'retrieval/link-entities': EntityCandidate;
    'retrieval/pending-embeddings': PendingRow;
    'retrieval/reembed-count': { knowledge: number; chunks: number };
    'retrieval/reembed-pending-chunks': { id: string; text: string };
    'retrieval/reembed-pending-knowledge': PendingRow;

    /** `wasOpen`: the task was open at the revision given, and is now closed with the decision. */
    'review/complete': { id: string; wasOpen: boolean };
    /** `id` null: the item has an open revision task already (`openTaskId`), nothing was created. */
    'review/create-revision': { id: string | null; openTaskId: string | null };
    'review/conflict-candidates': { taskId: string; item: KnowledgeRow; entities: string[]; via: Array<{ id: string; name: string }> };
    'review/diff': ReviewDiffRow;
    'review/get': { task: ReviewTaskRow };
    'review/get-releases': { release: ReleaseRow };
    'review/list-releases': { total: number; ids: string[] };
    'review/lock-item': { item: KnowledgeRow; snapshots: Array<{ version: number; snapshot: string }>; publishedVersions: number[] };
    'review/queue': Page<ReviewTaskRow>;
    'review/release-candidates': ReleaseCandidateRow;
    'review/set-revision': { id: string };
  }
}
