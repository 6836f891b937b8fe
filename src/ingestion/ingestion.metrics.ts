import { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { RedisClient } from '../infra/redis.js';
import { allQueues, type IngestionQueue } from './ingestion.queues.js';

const STATES = ['wait', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * `answergraph_ingestion_queue_jobs{queue,state}`: jobs per ingestion queue and state, read from Redis
 * at each scrape, so every process (API or worker) reports the same shared depth. A horizontal
 * autoscaler scales workers on `state="wait"` (deploy/kubernetes/worker-hpa.yaml, through a Prometheus
 * adapter). Queue handles share the given connection and open none of their own until scraped.
 */
export function ingestionQueueMetrics(registry: Registry, connection: RedisClient, prefix: string): { close(): Promise<void> } {
  const queues = new Map<IngestionQueue, Queue>();
  const queue = (name: IngestionQueue) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      q.on('error', () => undefined); // a scrape during a Redis blip reports nothing; the health probe says why
      queues.set(name, q);
    }
    return q;
  };
  new Gauge({
    name: 'answergraph_ingestion_queue_jobs',
    help: 'Ingestion jobs per queue and state (wait, active, delayed, prioritized, failed), shared by all processes.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        allQueues.map(async (name) => {
          const counts = await queue(name).getJobCounts(...STATES).catch(() => null);
          if (counts) for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }),
      );
    },
  });
  return {
    close: async () => {
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
    },
  };
}
