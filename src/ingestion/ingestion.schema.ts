import { assertMayPublishDirectly, assertMayPublishWithoutReview, assertMayWriteVisibility } from '../auth/policies.js';
import type { Visibility } from '../auth/roles.js';
import { builder, ingesters, VisibilityEnum } from '../schema/builder.js';
import { offsetConnection } from '../schema/pagination.js';
import { supportedMediaTypes } from './content.js';
import type { IngestionCounts } from './ingestion.types.js';
import { jobStatuses, type JobRecord } from './job-store.js';

export interface IngestedDocumentRow {
  id: string;
  source: string;
  title: string;
  mediaType: string;
  language: string;
  visibility: Visibility;
  version: number;
  status: string;
  contentHash: string;
  chunkCount: number;
  piiFound: number | null;
  createdAt: string;
}

export const IngestedDocumentRef = builder.objectRef<IngestedDocumentRow>('IngestedDocument').implement({
  description: 'One version of an ingested document. Its text is normalised and de-identified; chunk and citation offsets point into it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.exposeString('source'),
    title: t.exposeString('title'),
    mediaType: t.exposeString('mediaType'),
    language: t.exposeString('language'),
    visibility: t.field({ type: VisibilityEnum, resolve: (d) => d.visibility }),
    version: t.exposeInt('version'),
    status: t.exposeString('status', { description: 'current, or superseded by a newer version of the same source.' }),
    contentHash: t.exposeString('contentHash', { description: 'sha256 of the submitted content.' }),
    chunkCount: t.exposeInt('chunkCount'),
    piiFound: t.int({ description: 'PII occurrences replaced by placeholders.', resolve: (d) => d.piiFound ?? 0 }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
  }),
});

const CountsRef = builder.objectRef<IngestionCounts>('IngestionCounts').implement({
  description: 'What the pipeline found and wrote so far.',
  fields: (t) => ({
    blocks: t.exposeInt('blocks', { description: 'Structural blocks parsed (headings, paragraphs, list items, table rows).' }),
    chunks: t.exposeInt('chunks'),
    piiFound: t.exposeInt('piiFound', { description: 'PII occurrences masked before anything was stored.' }),
    values: t.exposeInt('values', { description: 'Amounts, dates, durations and percentages recognised.' }),
    mentions: t.exposeInt('mentions', { description: 'MENTIONS links from chunks to entities.' }),
    entitiesLinked: t.exposeInt('entitiesLinked', { description: 'Distinct entities the document mentions.' }),
    entitiesCreated: t.exposeInt('entitiesCreated'),
    mergeSuggestions: t.exposeInt('mergeSuggestions', { description: 'Uncertain entity matches sent to review.' }),
    relations: t.exposeInt('relations'),
    drafts: t.exposeInt('drafts', { description: 'Knowledge drafts (facts, rules, processes).' }),
    reviewTasks: t.exposeInt('reviewTasks'),
    sourceRemoved: t.exposeInt('sourceRemoved', { description: 'Items whose source sentence this version no longer contains (flagged for review).' }),
  }),
});

export const IngestionJobRef = builder.objectRef<JobRecord>('IngestionJob').implement({
  description: 'A document on its way into the knowledge graph. The id is derived from the source and the content hash: the same document submitted again is the same job.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.exposeString('status', { description: 'QUEUED | RUNNING | COMPLETED | FAILED.' }),
    progress: t.exposeFloat('progress', { description: '0..1.' }),
    error: t.string({ nullable: true, description: 'Why the job failed (FAILED only).', resolve: (j) => j.error }),
    stage: t.exposeString('stage', { description: 'queued, parse, normalise, pii, chunk, drafts, patterns, ner, embed, resolve, relations, write or done.' }),
    unchanged: t.exposeBoolean('unchanged', { description: 'The graph already held this exact version: nothing was written.' }),
    title: t.exposeString('title'),
    source: t.exposeString('source'),
    mediaType: t.exposeString('mediaType'),
    language: t.string({ nullable: true, resolve: (j) => j.language }),
    visibility: t.field({ type: VisibilityEnum, resolve: (j) => j.visibility }),
    trusted: t.exposeBoolean('trusted', { description: 'Drafts were published without review.' }),
    contentHash: t.exposeString('contentHash'),
    documentId: t.id({ nullable: true, resolve: (j) => j.documentId }),
    documentVersion: t.int({ nullable: true, resolve: (j) => j.documentVersion }),
    document: t.loadable({
      type: IngestedDocumentRef,
      nullable: true,
      load: async (ids: string[], ctx) => {
        const rows = await ctx.executor.read('ingestion/documents-by-ids', { ids });
        const byId = new Map(rows.map((r) => [(r.document as IngestedDocumentRow).id, r.document as IngestedDocumentRow]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      resolve: (j) => j.documentId,
    }),
    counts: t.field({ type: CountsRef, resolve: (j) => j.counts }),
    timings: t.field({ type: 'JSON', description: 'Milliseconds spent per stage.', resolve: (j) => j.timings }),
    attempts: t.exposeInt('attempts', { description: 'Processing attempts, retries and recoveries of stalled jobs included.' }),
    workers: t.exposeStringList('workers', { description: 'Workers (host/pid) that worked on the job, in order.' }),
    lastError: t.string({ nullable: true, description: 'The last transient error while retries remain.', resolve: (j) => j.lastError }),
    createdAt: t.field({ type: 'DateTime', resolve: (j) => j.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (j) => j.finishedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (j) => j.updatedAt }),
  }),
});

const IngestionJobStatusEnum = builder.enumType('IngestionJobStatus', { values: jobStatuses });

const IngestDocumentInput = builder.inputType('IngestDocumentInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    mediaType: t.string({ required: true, description: `One of ${supportedMediaTypes.join(', ')}. CSV and JSONL are FAQ files (records of the import format, or question/answer rows).` }),
    content: t.string({
      required: true,
      description: 'The document. Text formats as they are (UTF-8); binary formats — PDF and DOCX — base64-encoded. PII in it is masked before anything is stored.',
    }),
    source: t.string({ description: 'Stable name of the document (URL, path). A new content under the same source is a new version that supersedes the old one. Default: upload:<content hash>.' }),
    language: t.string({ description: 'en or zh; detected when omitted.' }),
    visibility: t.field({ type: VisibilityEnum, description: 'Visibility of what is extracted. Default PUBLIC.' }),
    trusted: t.boolean({ description: 'Publish the drafts directly, without review tasks (EDITOR and ADMIN only). Sources in INGEST_TRUSTED_SOURCES are always trusted.' }),
  }),
});

builder.mutationField('ingestDocument', (t) =>
  t.field({
    type: IngestionJobRef,
    authScopes: { role: ingesters },
    description: 'Queues a document for ingestion and returns its job at once; follow it with ingestionJob or ingestionProgress. Submitting the same document again returns the same job (unchanged: true once it completed).',
    args: { input: t.arg({ type: IngestDocumentInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      assertMayWriteVisibility(ctx.viewer, input.visibility);
      if (input.trusted) {
        assertMayPublishWithoutReview(ctx.viewer, 'leave trusted unset or configure the source in INGEST_TRUSTED_SOURCES');
        assertMayPublishDirectly(ctx.viewer, input.visibility);
      }
      const job = await ctx.services.ingestion.submit(input, ctx.viewer.keyId);
      // Publishing without review is audited when it is asked for (the worker writes the drafts later,
      // PUBLISHED, all or nothing): who asked, for which source, and why it is trusted.
      if (job.trusted) {
        await ctx.services.audit.record(ctx.viewer, {
          action: 'knowledge.publish',
          targetType: 'Document',
          targetId: job.id,
          after: { status: 'PUBLISHED', source: job.source, visibility: job.visibility },
          details: { jobId: job.id, trustedBy: input.trusted ? 'request' : 'INGEST_TRUSTED_SOURCES' },
        });
      }
      return job;
    },
  }),
);

builder.queryFields((t) => ({
  ingestionJob: t.field({
    type: IngestionJobRef,
    nullable: true,
    authScopes: { role: ingesters },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.ingestion.get(String(args.id)),
  }),
  ingestionJobs: t.connection(
    {
      type: IngestionJobRef,
      authScopes: { role: ingesters },
      description: 'Ingestion jobs, newest first (finished ones are kept for INGEST_JOB_RETENTION_S).',
      args: { status: t.arg({ type: IngestionJobStatusEnum }) },
      resolve: (_r, args, ctx) => offsetConnection(ctx, args, (page) => ctx.services.ingestion.list({ status: args.status ?? null }, page)),
    },
    { name: 'IngestionJobConnection', fields: (c) => ({ totalCount: c.int({ resolve: (conn) => conn.totalCount }) }) },
    { name: 'IngestionJobEdge' },
  ),
}));

builder.subscriptionField('ingestionProgress', (t) =>
  t.field({
    type: IngestionJobRef,
    authScopes: { role: ingesters },
    description: 'The job now, then every change (stage, progress, counts) until it completes or fails, from any worker.',
    args: { jobId: t.arg.id({ required: true }) },
    subscribe: (_r, args, ctx) => ctx.services.ingestion.progress(String(args.jobId)),
    resolve: (job) => job,
  }),
);
