import path from 'node:path';
import { projectRoot } from '../src/app.js';
import { importKnowledge } from '../src/knowledge/knowledge.import.js';
import { readSeed } from '../src/knowledge/seed.js';
import { eventually, type TestApi } from './harness.js';

export const ALL_ACCESS = { visibilities: ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const, statuses: ['DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED', 'REJECTED'] as const };

/** The demo entities and knowledge, published (idempotent), so entity resolution has names to find. */
export async function importSeed(api: TestApi): Promise<void> {
  const r = await importKnowledge(api.app.services.knowledge, api.app.services.executor, {
    format: 'JSONL',
    data: readSeed(path.join(projectRoot, 'seeds')),
    publish: true,
    by: 'test-seed',
    access: { visibilities: [...ALL_ACCESS.visibilities], statuses: [...ALL_ACCESS.statuses] },
    mayPublishRestricted: true,
  });
  if (r.errors.length) throw new Error(`seed import failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
}

export async function createKey(api: TestApi, role: string, name: string, grants: string[] = []): Promise<string> {
  const r = await api.gql<{ createApiKey: { key: string } }>('mutation($role: Role!, $name: String!, $grants: [Grant!]) { createApiKey(role: $role, name: $name, grants: $grants) { key } }', { role, name, grants });
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.createApiKey.key;
}

export const JOB_FIELDS = 'id status progress error stage unchanged documentId documentVersion attempts workers source counts { chunks drafts reviewTasks mentions relations piiFound sourceRemoved entitiesCreated }';

export interface JobView {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  stage: string;
  unchanged: boolean;
  documentId: string | null;
  documentVersion: number | null;
  attempts: number;
  workers: string[];
  source: string;
  counts: Record<string, number>;
}

export async function ingest(api: TestApi, input: Record<string, unknown>, key?: string): Promise<JobView> {
  const r = await api.gql<{ ingestDocument: JobView }>(`mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { ${JOB_FIELDS} } }`, { input }, key);
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.ingestDocument;
}

export async function job(api: TestApi, id: string): Promise<JobView | null> {
  const r = await api.gql<{ ingestionJob: JobView | null }>(`query($id: ID!) { ingestionJob(id: $id) { ${JOB_FIELDS} } }`, { id });
  return r.body.data?.ingestionJob ?? null;
}

/** Waits until the job completes or fails (generous: the test machine is shared and slow). */
export function finished(api: TestApi, id: string, timeoutMs = 120_000): Promise<JobView> {
  return eventually(async () => {
    const j = await job(api, id);
    return j && (j.status === 'COMPLETED' || j.status === 'FAILED') ? j : null;
  }, timeoutMs, 200);
}

/** Counts nodes of ingestion's labels for a source (duplicate detection). */
export async function graphCounts(api: TestApi, source: string): Promise<{ documents: number; chunks: number; drafts: number; tasks: number; mentions: number }> {
  const [row] = await api.app.services.executor.readText(
    'test/ingestion-counts',
    `OPTIONAL MATCH (:DocumentSource {source: $source})-[:HAS_VERSION]->(d:Document)
     WITH collect(d) AS docs
     OPTIONAL MATCH (d2:Document)-[:HAS_CHUNK]->(c:Chunk) WHERE d2 IN docs
     WITH docs, collect(DISTINCT c) AS chunks
     OPTIONAL MATCH (k:Knowledge)-[:DERIVED_FROM]->(c2:Chunk) WHERE c2 IN chunks
     WITH docs, chunks, collect(DISTINCT k) AS drafts
     OPTIONAL MATCH (t:ReviewTask)-[:FOR]->(k2:Knowledge) WHERE k2 IN drafts
     WITH docs, chunks, drafts, count(DISTINCT t) AS tasks
     OPTIONAL MATCH (c3:Chunk)-[m:MENTIONS]->() WHERE c3 IN chunks
     RETURN size(docs) AS documents, size(chunks) AS chunks, size(drafts) AS drafts, tasks, count(m) AS mentions`,
    { source },
  );
  return row as { documents: number; chunks: number; drafts: number; tasks: number; mentions: number };
}
