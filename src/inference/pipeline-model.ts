import { MicroBatcher, type MicroBatcherOptions } from './batcher.js';
import type { LoadedModel, ModelRegistry } from './model-registry.js';

/** What the three pipelines (embedding, text and token classification) share. */
export interface PipelineOptions {
  /** Largest batch per model run. Default 32. */
  maxBatch?: number;
  /** Longest wait for companions before a batch runs. Default 2 ms. */
  maxWaitMs?: number;
  /** Items allowed to wait per model before requests are refused with `INFERENCE_QUEUE_FULL`. Default 4096. */
  maxQueue?: number;
}

/** A pipeline's micro-batcher for one model, with the limits of the pipeline options. */
export function pipelineBatcher<In, Out>(model: string, options: PipelineOptions, batch: Pick<MicroBatcherOptions<In, Out>, 'run' | 'lengthOf'>): MicroBatcher<In, Out> {
  return new MicroBatcher<In, Out>({ name: model, maxBatch: options.maxBatch, maxWaitMs: options.maxWaitMs, maxQueue: options.maxQueue, ...batch });
}

/**
 * A pipeline's model: loaded on first use and checked against what the pipeline needs (`check` throws
 * otherwise). A failed load is forgotten, so the next call tries again (after `npm run models`, say).
 */
export class LazyModel {
  private model: Promise<LoadedModel> | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    readonly name: string,
    private readonly check: (model: LoadedModel) => void,
  ) {}

  get(): Promise<LoadedModel> {
    if (!this.model) {
      const loading = this.registry.load(this.name).then((m) => {
        this.check(m);
        return m;
      });
      this.model = loading;
      loading.catch(() => {
        if (this.model === loading) this.model = undefined;
      });
    }
    return this.model;
  }
}
