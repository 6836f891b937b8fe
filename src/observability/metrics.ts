import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueryEvent } from '../graph/executor.js';

/** Prometheus metrics of one process. A registry per instance keeps tests and multiple servers apart. */
export class Metrics {
  readonly registry = new Registry();
  readonly graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation' | 'type'>;
  readonly cypherDuration: Histogram<'query' | 'mode' | 'outcome'>;
  readonly subscriptionsActive;

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
  }

  /** An executor observer; dynamic statement suffixes (`#3`) are dropped to bound label cardinality. */
  readonly observeQuery = (e: QueryEvent): void => {
    this.cypherDuration.observe({ query: e.name.replace(/#\d+$/, ''), mode: e.mode, outcome: e.ok ? 'ok' : 'error' }, e.ms / 1000);
  };
}
