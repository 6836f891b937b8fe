import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueryEvent } from '../graph/executor.js';

/** What the operations gauges read at each scrape; the composition root fills it in (`Metrics.watch`). */
export interface OperationsSources {
  /** Dependency and readiness checks (the same as /readyz). */
  health?: () => Promise<{ neo4j: boolean; redis: boolean; models: boolean }>;
  /** Models loaded in this process and the device each really runs on. */
  models?: () => Array<{ model: string; device: string }>;
  /** Conversation changes not yet folded into the analytics buckets. */
  analyticsPending?: () => Promise<number>;
}

/** What the ingestion workers report (see `IngestionWorkers`). */
export interface IngestionMetrics {
  stage(stage: string, ms: number): void;
  stalled(queue: string): void;
}

/** Prometheus metrics of one process. A registry per instance keeps tests and multiple servers apart. */
export class Metrics {
  readonly registry = new Registry();
  readonly graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  readonly cypherDuration: Histogram<'query' | 'mode' | 'outcome'>;
  readonly subscriptionsActive;
  /** Open GraphQL-over-WebSocket connections of this process. */
  readonly subscriptionConnections: Gauge;
  readonly modelDuration: Histogram<'model' | 'device' | 'outcome'>;
  readonly ingestionStageDuration: Histogram<'stage'>;
  readonly stalledJobs: Counter<'queue'>;
  private sources: OperationsSources = {};

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'answergraph_' });
    this.graphqlRequests = new Counter({
      name: 'answergraph_graphql_requests_total',
      help: 'GraphQL operations by operation name, type and outcome (ok, error).',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.graphqlDuration = new Histogram({
      name: 'answergraph_graphql_request_duration_seconds',
      help: 'GraphQL operation latency by operation name and type.',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.cypherDuration = new Histogram({
      name: 'answergraph_cypher_query_duration_seconds',
      help: 'Cypher query latency by query name.',
      labelNames: ['query', 'mode', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [this.registry],
    });
    this.subscriptionsActive = new Counter({
      name: 'answergraph_subscriptions_started_total',
      help: 'GraphQL subscriptions started.',
      registers: [this.registry],
    });
    this.subscriptionConnections = new Gauge({
      name: 'answergraph_subscription_connections',
      help: 'Open GraphQL-over-WebSocket (subscription) connections of this process.',
      registers: [this.registry],
    });
    this.modelDuration = new Histogram({
      name: 'answergraph_model_inference_duration_seconds',
      help: 'One ONNX Runtime session run (a batch) by model, the device it really runs on, and outcome.',
      labelNames: ['model', 'device', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.ingestionStageDuration = new Histogram({
      name: 'answergraph_ingestion_stage_duration_seconds',
      help: 'Time one document spends in one ingestion stage (parse, normalise, pii, chunk, drafts, patterns, ner, embed, resolve, relations, write).',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
    this.stalledJobs = new Counter({
      name: 'answergraph_queue_stalled_jobs_total',
      help: 'Jobs this process found stalled (their worker stopped renewing the lock) and moved back to wait, by queue.',
      labelNames: ['queue'],
      registers: [this.registry],
    });
    const sources = () => this.sources;
    new Gauge({
      name: 'answergraph_dependency_up',
      help: 'Whether a dependency answers this process: neo4j, redis, models (every model the role needs loaded and verified).',
      labelNames: ['dependency'],
      registers: [this.registry],
      async collect() {
        const health = sources().health;
        if (!health) return;
        const h = await health().catch(() => ({ neo4j: false, redis: false, models: false }));
        for (const d of ['neo4j', 'redis', 'models'] as const) this.set({ dependency: d }, h[d] ? 1 : 0);
      },
    });
    new Gauge({
      name: 'answergraph_ready',
      help: '1 when this process is ready to serve (what /readyz says), else 0.',
      registers: [this.registry],
      async collect() {
        const health = sources().health;
        if (!health) return;
        const h = await health().catch(() => ({ neo4j: false, redis: false, models: false }));
        this.set(h.neo4j && h.redis && h.models ? 1 : 0);
      },
    });
    new Gauge({
      name: 'answergraph_model_loaded',
      help: 'Models loaded in this process (1), labelled with the device each really runs on (cpu, cuda).',
      labelNames: ['model', 'device'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of sources().models?.() ?? []) this.set({ model: m.model, device: m.device }, 1);
      },
    });
    new Gauge({
      name: 'answergraph_analytics_pending_changes',
      help: 'Conversation changes waiting to be folded into the analytics time buckets (shared by all processes).',
      registers: [this.registry],
      async collect() {
        const pending = sources().analyticsPending;
        if (pending) this.set(await pending().catch(() => 0));
      },
    });
  }

  /** Where the operations gauges read from at scrape time. */
  watch(sources: OperationsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** An inference registry observer (`onRun`). */
  readonly observeModelRun = (e: { model: string; device: string; ms: number; ok: boolean }): void => {
    this.modelDuration.observe({ model: e.model, device: e.device, outcome: e.ok ? 'ok' : 'error' }, e.ms / 1000);
  };

  /** What the ingestion workers report to. */
  readonly ingestion: IngestionMetrics = {
    stage: (stage, ms) => this.ingestionStageDuration.observe({ stage }, ms / 1000),
    stalled: (queue) => this.stalledJobs.inc({ queue }),
  };

  /** An executor observer; dynamic statement suffixes (`#3`) are dropped to bound label cardinality. */
  readonly observeQuery = (e: QueryEvent): void => {
    this.cypherDuration.observe({ query: e.name.replace(/#\d+$/, ''), mode: e.mode, outcome: e.ok ? 'ok' : 'error' }, e.ms / 1000);
  };
}
