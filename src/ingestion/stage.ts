import type { Logger } from 'pino';

/** Every stage, in pipeline order (the job's `stage` field shows the current one). */
export const stageNames = ['queued', 'parse', 'normalise', 'pii', 'chunk', 'drafts', 'patterns', 'ner', 'embed', 'resolve', 'relations', 'write', 'done'] as const;
export type StageName = (typeof stageNames)[number];

export interface StageContext {
  /** Reports progress inside the stage, 0..1 (throttled by the caller). */
  progress(fraction: number): void;
  logger: Logger;
}

/**
 * One step of the pipeline: a typed, async `run` with a progress callback (neo4j-graphrag's
 * `Component` / `RunContext.notify`). Stages hold no job state; the queue processors chain them.
 */
export interface Stage<I, O> {
  readonly name: StageName;
  run(input: I, ctx: StageContext): Promise<O>;
}

export function stage<I, O>(name: StageName, run: (input: I, ctx: StageContext) => Promise<O> | O): Stage<I, O> {
  return { name, run: async (input, ctx) => run(input, ctx) };
}

/** Where each stage sits in the job's overall progress (start, end), so progress only grows. */
export const stageSpan: Record<StageName, [number, number]> = {
  queued: [0, 0],
  parse: [0, 0.08],
  normalise: [0.08, 0.1],
  pii: [0.1, 0.12],
  chunk: [0.12, 0.16],
  drafts: [0.16, 0.2],
  patterns: [0.2, 0.24],
  ner: [0.24, 0.4],
  embed: [0.4, 0.7],
  resolve: [0.7, 0.78],
  relations: [0.78, 0.8],
  write: [0.8, 1],
  done: [1, 1],
};

/** Milliseconds spent per stage (job record and benchmark). */
export type StageTimings = Partial<Record<StageName, number>>;

/** Runs a stage, timing it and mapping its progress into the job's overall progress. */
export async function runStage<I, O>(s: Stage<I, O>, input: I, env: { logger: Logger; report(stage: StageName, progress: number): void; timings: StageTimings; observe?(stage: StageName, ms: number): void }): Promise<O> {
  const [from, to] = stageSpan[s.name];
  env.report(s.name, from);
  const started = performance.now();
  const out = await s.run(input, { logger: env.logger, progress: (f) => env.report(s.name, from + (to - from) * Math.min(1, Math.max(0, f))) });
  const ms = performance.now() - started;
  env.timings[s.name] = (env.timings[s.name] ?? 0) + ms;
  env.observe?.(s.name, ms);
  return out;
}
