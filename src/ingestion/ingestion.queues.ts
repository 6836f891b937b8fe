import type { JobsOptions } from 'bullmq';
import type { IngestRequest, InferredDocument, PreparedDocument } from './ingestion.types.js';

/**
 * The BullMQ queues of the pipeline. `Prepare` and `Write` are CPU work; `Model` (NER, embeddings)
 * is separate so GPU workers can take just that queue (`INGEST_QUEUES=model`).
 */
export enum IngestionQueue {
  Prepare = 'ingest-prepare',
  Model = 'ingest-model',
  Write = 'ingest-write',
}

export const allQueues: readonly IngestionQueue[] = [IngestionQueue.Prepare, IngestionQueue.Model, IngestionQueue.Write];

/**
 * Neo4j bookmarks of the process that queued a job (the API, or the worker of the step before): the
 * worker's reads start after them, so it sees every write that process made (read-your-writes across
 * processes, also when a Neo4j cluster serves reads from secondaries).
 */
export interface Causal {
  bookmarks?: string[];
}

/** `ingest-prepare`: the submitted document. `content` is emptied once parsed (never kept in Redis). */
export interface PrepareJobData extends Causal {
  jobId: string;
  run: number;
  documentId: string;
  contentHash: string;
  request: IngestRequest;
}

/** `ingest-model`: the de-identified text, chunks and drafts. */
export interface ModelJobData extends Causal {
  jobId: string;
  run: number;
  prepared: PreparedDocument;
}

/** `ingest-write`: everything the graph write needs. */
export interface WriteJobData extends Causal {
  jobId: string;
  run: number;
  prepared: PreparedDocument;
  inferred: InferredDocument;
}

/**
 * BullMQ job ids are deterministic — the content-derived ingestion id, plus the run and the stage
 * — so adding a job twice (a retried hand-off, a re-submitted document) never runs it twice.
 */
export function bullJobId(jobId: string, run: number, queue: IngestionQueue): string {
  const base = run === 1 ? jobId : `${jobId}.r${run}`;
  return queue === IngestionQueue.Prepare ? base : `${base}.${queue === IngestionQueue.Model ? 'model' : 'write'}`;
}

export interface QueuePolicy {
  /** Attempts per stage job (transient faults). */
  attempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs: number;
  /** Finished jobs kept in Redis. */
  keepCompleted: number;
  keepFailed: number;
}

export function jobOptions(policy: QueuePolicy, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { count: policy.keepCompleted },
    removeOnFail: { count: policy.keepFailed },
  };
}
