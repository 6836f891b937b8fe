import neo4j, { Neo4jError, isRetriableError, type BookmarkManager, type Driver, type ManagedTransaction, type QueryResult, isDate, isDateTime, isDuration, isLocalDateTime, isLocalTime, isTime, isNode, isRelationship } from 'neo4j-driver';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { CypherLoader } from './cypher-loader.js';
import { fromNeo4jError } from './graph.errors.js';
import { currentRequest, recordQuery, type QueryEvent } from './query-scope.js';

export type Params = Record<string, unknown>;

/** Which named query raised a Neo4j error (errors stay the driver's own type so it can retry them). */
const queryNames = new WeakMap<object, string>();
export type Row = Record<string, unknown>;

export type { QueryEvent };

/**
 * The row type of each named query, by name: filled in by src/query-rows.ts (module augmentation), which
 * knows the modules' types; the graph layer does not. `read`, `write` and `Tx.run` of a name declared
 * there return its rows typed; any other name returns plain {@link Row}s.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the declarations are in src/query-rows.ts
export interface QueryRows {}

/** A query whose row type {@link QueryRows} declares. */
export type QueryName = keyof QueryRows;

export interface ExecutorOptions {
  database: string;
  logger: Logger;
  /** Transaction timeout sent to Neo4j; the server stops queries that run longer. */
  timeoutMs?: number;
  /** Transaction metadata merged into every transaction of this view (a request's id and key come from its scope: `runInRequest`). */
  metadata?: Record<string, string>;
  /** Observes every query this executor and its views run (metrics); per request or test, see `query-scope.ts`. */
  observers?: ReadonlyArray<(e: QueryEvent) => void>;
  /**
   * Causal consistency within this process: every session starts after the bookmarks this manager
   * holds and adds its own when it ends, so a read follows every write this process committed before
   * it — also on a Neo4j cluster, where reads go to secondaries that may lag. One per process.
   */
  bookmarkManager?: BookmarkManager;
  /** Bookmarks from another process (a job's, a request's) that this view's sessions wait for too. */
  bookmarks?: readonly string[];
}

/**
 * A transaction handle for multi-statement units of work (all-or-nothing imports, say). `run` of a query
 * declared in {@link QueryRows} returns its rows typed; any other name returns plain {@link Row}s.
 */
export interface Tx {
  run<N extends QueryName>(name: N, params?: Params): Promise<Array<QueryRows[N]>>;
  run(name: string, params?: Params): Promise<Row[]>;
  runText(name: string, cypher: string, params?: Params): Promise<Row[]>;
}

/**
 * The one way Cypher reaches Neo4j: named queries from `cypher/`, read or write routing, the
 * configured database, sessions always closed, Neo4j codes mapped to typed errors, transaction
 * metadata on every transaction (with the request's id when one is being served). Cheap to derive views
 * from with {@link CypherExecutor.with}.
 */
export class CypherExecutor {
  constructor(
    private readonly driver: Driver,
    private readonly loader: CypherLoader,
    private readonly options: ExecutorOptions,
  ) {}

  /** A view sharing the driver, with extra metadata/observers, or another transaction timeout (work no request waits for). */
  with(extra: { metadata?: Record<string, string>; observer?: (e: QueryEvent) => void; timeoutMs?: number }): CypherExecutor {
    return new CypherExecutor(this.driver, this.loader, {
      ...this.options,
      timeoutMs: extra.timeoutMs ?? this.options.timeoutMs,
      metadata: { ...this.options.metadata, ...extra.metadata },
      observers: extra.observer ? [...(this.options.observers ?? []), extra.observer] : this.options.observers,
    });
  }

  /**
   * Where this process stands in the database's history: the bookmarks of its latest transactions.
   * Another process that starts after them (`after`, `observe`) reads everything this one wrote.
   * Empty without a bookmark manager.
   */
  async bookmarks(): Promise<string[]> {
    const own = this.options.bookmarkManager ? await this.options.bookmarkManager.getBookmarks() : [];
    return [...new Set([...own, ...(this.options.bookmarks ?? [])])];
  }

  /** A view whose sessions also wait for these bookmarks (read-your-writes for one job or request). */
  after(bookmarks: readonly string[] | null | undefined): CypherExecutor {
    if (!bookmarks?.length) return this;
    return new CypherExecutor(this.driver, this.loader, { ...this.options, bookmarks: [...new Set([...(this.options.bookmarks ?? []), ...bookmarks])] });
  }

  /** From now on, every session of this process waits for these bookmarks too (another process's writes). */
  async observe(bookmarks: readonly string[] | null | undefined): Promise<void> {
    if (bookmarks?.length && this.options.bookmarkManager) await this.options.bookmarkManager.updateBookmarks([], [...bookmarks]);
  }

  private sessionConfig(mode: 'READ' | 'WRITE') {
    return {
      database: this.options.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.options.bookmarkManager ? { bookmarkManager: this.options.bookmarkManager } : {}),
      ...(this.options.bookmarks?.length ? { bookmarks: [...this.options.bookmarks] } : {}),
    };
  }

  /**
   * One read statement, auto-committed (see {@link CypherExecutor.autoCommitRead}). A query declared in
   * {@link QueryRows} returns its rows typed; any other name returns plain {@link Row}s.
   */
  read<N extends QueryName>(name: N, params?: Params): Promise<Array<QueryRows[N]>>;
  read(name: string, params?: Params): Promise<Row[]>;
  read(name: string, params: Params = {}): Promise<unknown[]> {
    return this.autoCommitRead(name, (tx) => tx.run(name, params));
  }

  /** One write statement in a transaction of its own; rows typed as for {@link CypherExecutor.read}. */
  write<N extends QueryName>(name: N, params?: Params): Promise<Array<QueryRows[N]>>;
  write(name: string, params?: Params): Promise<Row[]>;
  write(name: string, params: Params = {}): Promise<unknown[]> {
    return this.runIn('WRITE', name, (tx) => tx.run(name, params));
  }

  /** For queries that really are dynamic (built with @neo4j/cypher-builder); `name` labels them in logs and metrics. */
  readText(name: string, cypher: string, params: Params = {}): Promise<Row[]> {
    return this.autoCommitRead(name, (tx) => tx.runText(name, cypher, params));
  }

  writeText(name: string, cypher: string, params: Params = {}): Promise<Row[]> {
    return this.runIn('WRITE', name, (tx) => tx.runText(name, cypher, params));
  }

  /** Several statements in one transaction: all of them commit, or none. */
  readTx<T>(unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.runIn('READ', unit, work);
  }

  writeTx<T>(unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.runIn('WRITE', unit, work);
  }

  /**
   * Every transaction's configuration: the timeout, and metadata that Neo4j's query log and
   * `SHOW TRANSACTIONS` show — the unit's name and, inside a request scope (`runInRequest`, set once per
   * GraphQL operation), the request id and the caller's key id; then this view's own metadata.
   */
  private txConfig(unit: string) {
    const request = currentRequest();
    const fromRequest = request ? { requestId: request.requestId, ...(request.keyId === undefined ? {} : { keyId: request.keyId }) } : {};
    return { metadata: { app: 'answergraph', unit, ...fromRequest, ...this.options.metadata }, timeout: this.options.timeoutMs };
  }

  private async runIn<T>(mode: 'READ' | 'WRITE', unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    // READ sessions run through executeRead: on a cluster (neo4j:// routing) secondaries serve them;
    // writes through executeWrite go to the leader. Both are retried on transient errors (leader switch).
    const session = this.driver.session(this.sessionConfig(mode));
    const txConfig = this.txConfig(unit);
    try {
      const fn = (mtx: ManagedTransaction) => work(this.wrap(mtx, mode));
      return mode === 'READ' ? await session.executeRead(fn, txConfig) : await session.executeWrite(fn, txConfig);
    } catch (err) {
      throw mapEscaped(err, unit);
    } finally {
      await session.close();
    }
  }

  /**
   * A single read statement as an auto-commit query: RUN and PULL leave together, with no BEGIN before
   * them and no COMMIT round trip after (measured for `RETURN 1`: 1.6 → 0.7 ms of API CPU; the answer hot
   * path runs two). A read has nothing to roll back, so a transient failure is simply run again, with
   * backoff, as a managed transaction would be.
   */
  private async autoCommitRead<T>(unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    const txConfig = this.txConfig(unit);
    for (let attempt = 1; ; attempt++) {
      // READ access mode: a routing driver sends it to a secondary, like executeRead.
      const session = this.driver.session(this.sessionConfig('READ'));
      try {
        return await work(this.wrap({ run: (cypher, params) => session.run(cypher, params, txConfig) }, 'READ'));
      } catch (err) {
        if (err instanceof Neo4jError && isRetriableError(err) && attempt < READ_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4)));
          continue;
        }
        throw mapEscaped(err, unit);
      } finally {
        await session.close();
      }
    }
  }

  private wrap(runner: { run(cypher: string, params: Params): Promise<QueryResult> }, mode: 'READ' | 'WRITE'): Tx {
    const exec = async (name: string, cypher: string, params: Params): Promise<Row[]> => {
      const started = performance.now();
      let rows = 0;
      let ok = false;
      try {
        const result = await runner.run(cypher, params);
        const out = result.records.map((r) => toPlain(r.toObject()) as Row);
        rows = out.length;
        ok = true;
        return out;
      } catch (err) {
        // Rethrown as is, so the driver can retry transient errors (deadlocks, leader switches);
        // runIn maps what finally escapes. The query's name travels with it for the message.
        if (err instanceof Neo4jError) queryNames.set(err, name);
        throw err;
      } finally {
        const event: QueryEvent = { name, mode, ms: performance.now() - started, rows, ok };
        for (const observe of this.options.observers ?? []) observe(event);
        recordQuery(event);
        this.options.logger.trace(event, 'cypher');
      }
    };
    // The one place rows meet their declared types: a query's row type in QueryRows is written from its
    // RETURN clause, and the rows are what toPlain made of them (src/query-rows.ts).
    const run = ((name: string, params: Params = {}) => exec(name, this.loader.get(name), params)) as Tx['run'];
    return {
      run,
      runText: (name, cypher, params = {}) => exec(name, cypher, params),
    };
  }
}

/** Attempts of an auto-committed read before a transient error escapes (100, 200, 400, 800 ms apart). */
const READ_ATTEMPTS = 5;

/** Errors of our own thrown inside a unit of work (to roll it back) pass through untouched; Neo4j's are typed. */
function mapEscaped(err: unknown, unit: string): unknown {
  if (err instanceof AppError || !(err instanceof Neo4jError)) return err;
  return fromNeo4jError(err, queryNames.get(err) ?? unit);
}

/** Converts driver values (temporal types, nodes) to plain JSON-friendly values. Integers are already numbers (driver option). */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value !== 'object') return value;
  // Maps and projections arrive as plain objects: no driver type to test for (the hot path's rows are
  // mostly these, and the eight type tests cost more than the conversion).
  if (Object.getPrototypeOf(value) === Object.prototype) return plainObject(value as Record<string, unknown>);
  if (isDateTime(value as never) || isDate(value as never) || isLocalDateTime(value as never) || isTime(value as never) || isLocalTime(value as never) || isDuration(value as never)) {
    const s = String(value);
    return isDateTime(value as never) ? new Date(s.replace(/\[.*\]$/, '')).toISOString() : s;
  }
  if (isNode(value as never) || isRelationship(value as never)) {
    return toPlain((value as { properties: unknown }).properties);
  }
  if (ArrayBuffer.isView(value)) return value;
  return plainObject(value as Record<string, unknown>);
}

function plainObject(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (Object.hasOwn(value, k)) out[k] = toPlain(value[k]);
  }
  return out;
}
