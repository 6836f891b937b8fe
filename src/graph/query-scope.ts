import { AsyncLocalStorage } from 'node:async_hooks';

/** One statement an executor ran (metrics, round-trip counting). */
export interface QueryEvent {
  name: string;
  mode: 'READ' | 'WRITE';
  ms: number;
  rows: number;
  ok: boolean;
}

/**
 * Query observation by async context rather than by executor instance: repositories keep the executor
 * they were built with, so an observer attached to a view misses their statements. Whatever runs inside
 * a scope — through any executor or view, in a transaction or not, in a DataLoader batch it scheduled —
 * is recorded into every sink of the scopes around it (nested scopes each see their own and the inner ones').
 */
const scope = new AsyncLocalStorage<readonly QueryEvent[][]>();

/** Runs `fn` with every statement it runs, and everything it starts runs, appended to `sink` as it finishes. */
export function recordQueriesInto<T>(sink: QueryEvent[], fn: () => T): T {
  return scope.run([...(scope.getStore() ?? []), sink], fn);
}

/** Runs `fn` and returns its result with the statements run on its behalf, in the order they finished. */
export async function observeQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: QueryEvent[] }> {
  const queries: QueryEvent[] = [];
  const result = await recordQueriesInto(queries, fn);
  return { result, queries };
}

/** The sink of the innermost scope the caller runs in, if any. */
export function currentQuerySink(): QueryEvent[] | undefined {
  return scope.getStore()?.at(-1);
}

/** Called by the executor for each statement; outside any scope it costs one `getStore()`. */
export function recordQuery(event: QueryEvent): void {
  const sinks = scope.getStore();
  if (sinks) for (const sink of sinks) sink.push(event);
}
