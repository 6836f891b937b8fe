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

/**
 * Who the statements being run are for: the GraphQL request (HTTP or graphql-ws operation) and the API key
 * that made it. The executor sends it as transaction metadata with every transaction run inside the scope
 * (Neo4j's query log and `SHOW TRANSACTIONS` show it), through any executor or view, in a DataLoader batch
 * or a transaction alike: nothing threads it by hand.
 */
export interface RequestMetadata {
  requestId: string;
  /** The caller's API key id (`anonymous` without one); unknown until the request is authenticated. */
  keyId?: string;
}

const requestScope = new AsyncLocalStorage<RequestMetadata>();

/** Runs `fn` as (part of) the request `metadata` describes. The scope holds its own copy of `metadata`. */
export function runInRequest<T>(metadata: RequestMetadata, fn: () => T): T {
  return requestScope.run({ ...metadata }, fn);
}

/** The request the caller runs in, if any. */
export function currentRequest(): Readonly<RequestMetadata> | undefined {
  return requestScope.getStore();
}

/** Adds what became known later (the key id, once authenticated) to the request scope the caller runs in; outside one, nothing. */
export function describeRequest(more: Partial<RequestMetadata>): void {
  const store = requestScope.getStore();
  if (store) Object.assign(store, more);
}

/**
 * `source` iterated inside the request scope of `metadata`: each step runs in it, so the statements of a
 * subscription's events carry the request too (graphql-ws iterates a subscription from its socket's
 * message handler, outside the scope its operation started in).
 */
export function iterateInRequest<T>(metadata: RequestMetadata, source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const store: RequestMetadata = { ...metadata };
  const it = source[Symbol.asyncIterator]();
  const done = (): Promise<IteratorResult<T, void>> => Promise.resolve({ done: true, value: undefined });
  const scoped: AsyncGenerator<T, void, undefined> = {
    next: () => requestScope.run(store, () => it.next()),
    return: () => requestScope.run(store, () => (it.return ? it.return() : done())),
    throw: (err: unknown) => requestScope.run(store, () => (it.throw ? it.throw(err) : Promise.reject(err instanceof Error ? err : new Error(String(err))))),
    [Symbol.asyncIterator]: () => scoped,
  };
  return scoped;
}
