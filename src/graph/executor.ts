import neo4j, { Neo4jError, type Driver, type ManagedTransaction, isDate, isDateTime, isDuration, isLocalDateTime, isLocalTime, isTime, isNode, isRelationship } from 'neo4j-driver';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { CypherLoader } from './cypher-loader.js';
import { fromNeo4jError } from './graph.errors.js';

export type Params = Record<string, unknown>;

/** Which named query raised a Neo4j error (errors stay the driver's own type so it can retry them). */
const queryNames = new WeakMap<object, string>();
export type Row = Record<string, unknown>;

export interface QueryEvent {
  name: string;
  mode: 'READ' | 'WRITE';
  ms: number;
  rows: number;
  ok: boolean;
}

export interface ExecutorOptions {
  database: string;
  logger: Logger;
  /** Transaction timeout sent to Neo4j; the server stops queries that run longer. */
  timeoutMs?: number;
  /** Transaction metadata merged into every transaction (e.g. the request id). */
  metadata?: Record<string, string>;
  /** Observes every query run (metrics, round-trip counting in tests). */
  observers?: ReadonlyArray<(e: QueryEvent) => void>;
}

/** A transaction handle for multi-statement units of work (all-or-nothing imports, say). */
export interface Tx {
  run(name: string, params?: Params): Promise<Row[]>;
  runText(name: string, cypher: string, params?: Params): Promise<Row[]>;
}

/**
 * The one way Cypher reaches Neo4j: named queries from `cypher/`, read or write routing, the
 * configured database, sessions always closed, Neo4j codes mapped to typed errors, transaction
 * metadata on every transaction. Cheap to derive per request with {@link CypherExecutor.with}.
 */
export class CypherExecutor {
  constructor(
    private readonly driver: Driver,
    private readonly loader: CypherLoader,
    private readonly options: ExecutorOptions,
  ) {}

  /** A view sharing the driver, with extra metadata/observers (per request). */
  with(extra: { metadata?: Record<string, string>; observer?: (e: QueryEvent) => void }): CypherExecutor {
    return new CypherExecutor(this.driver, this.loader, {
      ...this.options,
      metadata: { ...this.options.metadata, ...extra.metadata },
      observers: extra.observer ? [...(this.options.observers ?? []), extra.observer] : this.options.observers,
    });
  }

  read(name: string, params: Params = {}): Promise<Row[]> {
    return this.runIn('READ', name, (tx) => tx.run(name, params));
  }

  write(name: string, params: Params = {}): Promise<Row[]> {
    return this.runIn('WRITE', name, (tx) => tx.run(name, params));
  }

  /** For queries that really are dynamic (built with @neo4j/cypher-builder); `name` labels them in logs and metrics. */
  readText(name: string, cypher: string, params: Params = {}): Promise<Row[]> {
    return this.runIn('READ', name, (tx) => tx.runText(name, cypher, params));
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

  private async runIn<T>(mode: 'READ' | 'WRITE', unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      database: this.options.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const txConfig = {
      metadata: { app: 'answergraph', unit, ...this.options.metadata },
      timeout: this.options.timeoutMs,
    };
    try {
      const fn = (mtx: ManagedTransaction) => work(this.wrap(mtx, mode));
      return mode === 'READ' ? await session.executeRead(fn, txConfig) : await session.executeWrite(fn, txConfig);
    } catch (err) {
      // Errors of our own thrown inside a unit of work (to roll it back) pass through untouched.
      if (err instanceof AppError || !(err instanceof Neo4jError)) throw err;
      throw fromNeo4jError(err, queryNames.get(err) ?? unit);
    } finally {
      await session.close();
    }
  }

  private wrap(mtx: ManagedTransaction, mode: 'READ' | 'WRITE'): Tx {
    const exec = async (name: string, cypher: string, params: Params): Promise<Row[]> => {
      const started = performance.now();
      let rows = 0;
      let ok = false;
      try {
        const result = await mtx.run(cypher, params);
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
        this.options.logger.trace(event, 'cypher');
      }
    };
    return {
      run: (name, params = {}) => exec(name, this.loader.get(name), params),
      runText: (name, cypher, params = {}) => exec(name, cypher, params),
    };
  }
}

/** Converts driver values (temporal types, nodes) to plain JSON-friendly values. Integers are already numbers (driver option). */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value !== 'object') return value;
  if (isDateTime(value as never) || isDate(value as never) || isLocalDateTime(value as never) || isTime(value as never) || isLocalTime(value as never) || isDuration(value as never)) {
    const s = String(value);
    return isDateTime(value as never) ? new Date(s.replace(/\[.*\]$/, '')).toISOString() : s;
  }
  if (isNode(value as never) || isRelationship(value as never)) {
    return toPlain((value as { properties: unknown }).properties);
  }
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toPlain(v);
  return out;
}
