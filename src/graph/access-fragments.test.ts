import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeOf, CypherLoader, findPlaceholders, FRAGMENTS } from './cypher-loader.js';

/**
 * The access guard: a query that reads knowledge, documents or chunks applies the caller's access through a
 * fragment (cypher/fragments/, docs/cypher.md) — unless the allowlist below says why it need not.
 *
 * What it checks, per query file (comments and strings are not code):
 *  - every variable bound to a knowledge label (`(k:Knowledge ...)`, `:Fact`, `:Rule`, `:Process`, a label
 *    test `target:Knowledge`) or YIELDed by a `knowledge_*` index is filtered by `{{visible-knowledge k}}` or
 *    `{{visible-knowledge-any-status k}}`;
 *  - every variable bound to `:Document` is filtered by `{{visible-document d}}`;
 *  - a query that binds a `:Chunk` (or YIELDs from a `chunk_*` index) filters some document with
 *    `{{visible-document d}}` (a chunk is readable through its document);
 *  - no access filter is written inline (`... IN $visibilities`, `... IN $statuses` on a knowledge or
 *    document variable): the fragment is the one spelling of it.
 * Anonymous nodes (`(:Knowledge {id: id})`) are anchors whose content a query cannot return; they are not checked.
 * Variables are matched by name within a file, not by scope: a name filtered in one subquery covers the name in another.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cypher');

const KNOWLEDGE_LABELS = new Set(['Knowledge', 'Fact', 'Rule', 'Process']);
const KNOWLEDGE_FRAGMENTS = new Set(['visible-knowledge', 'visible-knowledge-any-status']);
const DOCUMENT_FRAGMENT = 'visible-document';

/**
 * Queries (or one variable of a query: `name var`) that legitimately read without the caller's access.
 * An entry needs a one-line reason. Entries that are no longer needed fail the test: remove them.
 */
const ALLOWLIST: Record<string, string> = {
  // Schema
  'migrations/*': 'schema statements (constraints, indexes) run by src/graph/migrations.ts, never by name; they read no data',

  // Analytics
  'analytics/raw-keys': 'worker aggregation of usage into buckets (ids only); analytics/visible-knowledge filters ids before one reaches a caller',

  // Dialogue
  'dialogue/append-messages': 'write: links a turn to the items retrieval already filtered for that turn',
  'dialogue/intent-handlers': "returns each handler's status and visibility; dialogue/intent-model.ts filters them with the asker's access",
  'dialogue/rate-conversation': 'write: links feedback to the items the conversation used; returns their ids only',
  'dialogue/rate-message': 'write: links feedback to the items the message used; returns their ids only',

  // Ingestion: the worker's pipeline for one job (its documents, chunks, drafts), no caller's read
  'ingestion/create-chunks': 'ingestion write',
  'ingestion/create-derived-from': 'ingestion write',
  'ingestion/create-document': 'ingestion write',
  'ingestion/create-mentions': 'ingestion write',
  'ingestion/create-review-tasks': 'ingestion write (the tasks are read through review/get and review/queue, which filter)',
  'ingestion/current-version': "ingestion: the source's current version (id, hash, stats) before the pipeline runs",
  'ingestion/delete-superseded-drafts': 'ingestion write',
  'ingestion/documents-by-ids': 'IngestionJob.document for the ingesting roles: metadata of the document the job wrote, no text',
  'ingestion/finish-document': 'ingestion write',
  'ingestion/lock-source': 'ingestion write lock',
  'ingestion/older-derived-items': "ingestion: items of a source's earlier versions, to re-point or flag",
  'ingestion/prune-superseded': 'ingestion write',
  'ingestion/repoint-sources': 'ingestion write',
  'ingestion/set-knowledge-embeddings': 'ingestion write',

  // Intents and knowledge writes: the resolver loaded the item with the caller's access first, or an import writes
  'intents/link-processes': 'import write',
  'intents/upsert': 'import write (intents/list filters the handlers callers read)',
  'knowledge/existing-by-external-ids': 'import planning inside the import transaction: ids, hashes and statuses only',
  'knowledge/export-by-ids': "writers' read of current content before a change, by ids already loaded with the caller's access",
  'knowledge/link-entity': 'write by id after loadVisible (knowledge.schema.ts)',
  'knowledge/set-about': 'import write',
  'knowledge/set-status': 'write by id after loadVisible, or inside review and release services that checked access',
  'knowledge/upsert': 'import and save write',

  // Learning
  'learning/add-questions': 'write after learning/lock-fact checked visibility in the same transaction (or a gap the worker drafts)',
  'learning/add-suggestions': 'learning sweep (worker): files review work, read through the review queries that filter',
  'learning/create-review-task': 'learning write (gap drafts, suggestions)',
  'learning/quality-due': 'learning sweep (worker): ids only',
  'learning/quality-history': 'field resolver (staff) of an item the caller already read through a filtered query',
  'learning/quality-inputs': 'field resolver (staff) of an item the caller already read, and the scoring sweep',
  'learning/questions-of': 'field resolver of an item the caller already read through a filtered query',
  'learning/remove-questions': 'write after learning/lock-fact checked visibility in the same transaction',
  'learning/set-import-questions': 'import write',
  'learning/set-quality': 'learning sweep (worker) write',
  'learning/set-review-by': "write by id after the resolver loaded the item with the caller's access",
  'learning/suggestion-candidates': 'learning sweep (worker): findings become review tasks, read through the review queries that filter',

  // Retrieval: embedding maintenance (worker) and the benchmark fixture
  'retrieval/bench-count': 'benchmark fixture only',
  'retrieval/bench-knowledge': 'benchmark fixture only',
  'retrieval/clear-embeddings': 'embedding maintenance write',
  'retrieval/init-embedding-state': 'embedding maintenance: which model most vectors have',
  'retrieval/mark-embedded': 'embedding maintenance write',
  'retrieval/mark-staged': 'embedding maintenance write',
  'retrieval/pending-embeddings': 'embedding maintenance: content to embed, for the worker',
  'retrieval/promote-embeddings': 'embedding maintenance write',
  'retrieval/reembed-count': 'embedding maintenance: counts',
  'retrieval/reembed-pending-chunks': 'embedding maintenance: chunk text to embed, for the worker',
  'retrieval/reembed-pending-knowledge': 'embedding maintenance: content to embed, for the worker',
  'retrieval/set-embeddings': 'embedding maintenance write',
  'retrieval/stage-chunk-embeddings': 'embedding maintenance write',
  'retrieval/stage-embeddings': 'embedding maintenance write',
  'retrieval/vector-search': 'ids and scores only; retrieval/hybrid hydrates them ($vectorHits) through {{visible-knowledge}}',

  // Review internals
  'review/conflict-candidates k': "the task's own item (from tasks read through review/get or review/queue); only p, filtered, is returned",
  'review/create-revision': 'revision write, after review/lock-item checked the caller may see the item in the same transaction',
  'review/create-release': 'release write, for items planned through review/release-candidates (filtered)',
  'review/diff': 'by task ids the caller read through review/get or review/queue, which filter on the task target',
  'review/get-releases': 'entries carry ids, statuses, visibility; items load through knowledge/get-by-ids, rollback checks visibility',
  'review/lock-items': 'write locks before a release plan; review/release-candidates filters what the plan reads',
};

function queryNames(): string[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.cypher') && !f.startsWith(`${FRAGMENTS}/`))
    .map((f) => f.slice(0, -'.cypher'.length))
    .sort();
}

type Kind = 'knowledge' | 'document' | 'chunk';

/** Whether an allowlist entry (`name`, `name var` or `area/*`) covers a finding (`name var`). */
const covers = (entry: string, key: string) =>
  entry === key || entry === key.split(' ')[0] || (entry.endsWith('/*') && key.startsWith(entry.slice(0, -1)));

function allFindings(): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of queryNames()) {
    for (const [key, message] of accessFindings(name, readFileSync(path.join(root, `${name}.cypher`), 'utf8'))) found.set(key, message);
  }
  return found;
}

/** What a query reads without access (one message each), keyed `name var`. */
function accessFindings(name: string, text: string): Map<string, string> {
  const file = `cypher/${name}.cypher`;
  const uses = findPlaceholders(text, file);
  let code = codeOf(text);
  for (const u of uses) code = code.slice(0, u.start) + ' '.repeat(u.end - u.start) + code.slice(u.end);

  const bound = new Map<string, Kind>();
  const bind = (v: string, kind: Kind) => {
    if (!bound.has(v) || kind !== 'chunk') bound.set(v, kind);
  };
  for (const m of code.matchAll(/(?<![\w.$`])([A-Za-z_]\w*)((?:\s*:\s*[A-Za-z_]\w*)+)/g)) {
    const labels = (m[2] ?? '').split(':').map((l) => l.trim()).filter(Boolean);
    const v = m[1] as string;
    if (labels.some((l) => KNOWLEDGE_LABELS.has(l))) bind(v, 'knowledge');
    else if (labels.includes('Document')) bind(v, 'document');
    else if (labels.includes('Chunk')) bind(v, 'chunk');
  }
  for (const m of text.matchAll(/queryNodes\(\s*'(knowledge|chunk)_\w+'.*?\bYIELD\s+node\s+AS\s+([A-Za-z_]\w*)/gs)) {
    if (code[m.index] === ' ') continue; // in a comment
    bind(m[2] as string, m[1] === 'chunk' ? 'chunk' : 'knowledge');
  }

  const filtered = (fragments: (f: string) => boolean, v?: string) => uses.some((u) => fragments(u.name) && (v === undefined || u.args[0] === v));
  const findings = new Map<string, string>();
  for (const [v, kind] of bound) {
    if (kind === 'knowledge' && !filtered((f) => KNOWLEDGE_FRAGMENTS.has(f), v)) {
      findings.set(`${name} ${v}`, `${file}: ${v} reads knowledge without {{visible-knowledge ${v}}} (or {{visible-knowledge-any-status ${v}}})`);
    }
    if (kind === 'document' && !filtered((f) => f === DOCUMENT_FRAGMENT, v)) {
      findings.set(`${name} ${v}`, `${file}: ${v} reads a document without {{visible-document ${v}}}`);
    }
    if (kind === 'chunk' && !filtered((f) => f === DOCUMENT_FRAGMENT)) {
      findings.set(`${name} ${v}`, `${file}: ${v} reads chunks without {{visible-document d}} on their document`);
    }
  }
  for (const m of code.matchAll(/([A-Za-z_]\w*)\.(?:visibility|status)\)?\s+IN\s+\$(?:visibilities|statuses)\b/g)) {
    const v = m[1] as string;
    if (bound.has(v)) findings.set(`${name} ${v}`, `${file}: ${v} has an inline access filter: write the fragment instead`);
  }
  return findings;
}

describe('cypher access fragments', () => {
  it('every query loads: its placeholders name known fragments with the variables they take', () => {
    const loader = new CypherLoader(root);
    const errors = queryNames().flatMap((name) => {
      try {
        loader.get(name);
        return [];
      } catch (e) {
        return [(e as Error).message];
      }
    });
    expect(errors).toEqual([]);
  });

  it('migrations have no placeholders (src/graph/migrations.ts runs their text as it is)', () => {
    const withPlaceholders = queryNames().filter(
      (name) => name.startsWith('migrations/') && findPlaceholders(readFileSync(path.join(root, `${name}.cypher`), 'utf8'), name).length > 0,
    );
    expect(withPlaceholders).toEqual([]);
  });

  it('every query that reads knowledge, documents or chunks applies the access fragments, or is allowlisted with a reason', () => {
    const unguarded = [...allFindings()].filter(([key]) => !Object.keys(ALLOWLIST).some((entry) => covers(entry, key))).map(([, message]) => message);
    expect(unguarded, "queries that read without the caller's access: apply the fragment (docs/cypher.md), or allowlist them with a reason").toEqual([]);
  });

  it('every allowlist entry is still needed, and has a reason', () => {
    const keys = [...allFindings().keys()];
    const stale = Object.entries(ALLOWLIST)
      .filter(([entry, reason]) => !reason.trim() || !keys.some((key) => covers(entry, key)))
      .map(([entry]) => entry);
    expect(stale, 'allowlist entries that no query needs any more (or without a reason): remove them').toEqual([]);
  });

  it('the guard sees knowledge, documents and chunks read without the fragment, and inline filters', () => {
    const keys = (text: string) => [...accessFindings('t/q', text).keys()];
    expect(keys('MATCH (k:Knowledge {id: $id}) RETURN k')).toEqual(['t/q k']);
    expect(keys('MATCH (k:Knowledge {id: $id}) WHERE {{visible-knowledge k}} RETURN k')).toEqual([]);
    expect(keys('MATCH (x:Rule) WHERE {{visible-knowledge k}} RETURN x')).toEqual(['t/q x']);
    expect(keys('MATCH (t)-[:FOR]->(target) WHERE target:Knowledge RETURN t')).toEqual(['t/q target']);
    expect(keys("CALL db.index.vector.queryNodes('knowledge_embedding', toInteger($k), $v) YIELD node AS k, score RETURN k.id")).toEqual(['t/q k']);
    expect(keys('MATCH (:Knowledge {id: $id})-[:DERIVED_FROM]->(c:Chunk) RETURN c.text')).toEqual(['t/q c']);
    expect(keys('MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk) WHERE {{visible-document d}} RETURN c.text')).toEqual([]);
    expect(keys('MATCH (k:Knowledge) WHERE {{visible-knowledge k}} AND k.status IN $statuses RETURN k')).toEqual(['t/q k']);
    // Comments and strings are not code.
    expect(keys("// MATCH (k:Knowledge)\nRETURN 'k:Knowledge' AS x")).toEqual([]);
    // Anonymous anchors are not checked; KnowledgeVersion is not knowledge.
    expect(keys('MATCH (v:KnowledgeVersion)-[:VERSION_OF]->(:Knowledge {id: $id}) RETURN v')).toEqual([]);
  });
});
