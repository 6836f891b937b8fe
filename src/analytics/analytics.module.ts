import type { Logger } from 'pino';
import type { CypherExecutor } from '../graph/executor.js';
import { AnalyticsAggregator, type AggregatorOptions, type AnalyticsRedis } from './analytics.aggregator.js';
import { AnalyticsRepository } from './analytics.repository.js';
import { AnalyticsService } from './analytics.service.js';

/** Analytics: the service the API reads, and the aggregator the dialogue tells about its writes. */
export function createAnalytics(o: { executor: CypherExecutor; redis: AnalyticsRedis; logger: Logger; aggregator?: AggregatorOptions }): AnalyticsService {
  const repo = new AnalyticsRepository(o.executor);
  return new AnalyticsService(repo, new AnalyticsAggregator(o.executor, repo, o.redis, o.logger, o.aggregator));
}
