import net from 'node:net';
import tls from 'node:tls';
import neo4j, { type BookmarkManager, type Driver } from 'neo4j-driver';
import { AppError } from '../errors.js';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database: string;
  connectTimeoutMs: number;
}

/**
 * The process's causal chain (see CypherExecutor's `bookmarkManager`): one per process, shared by every
 * session, so each read starts after every write this process committed — on a Neo4j cluster too.
 */
export function processBookmarks(): BookmarkManager {
  return neo4j.bookmarkManager();
}

/**
 * Creates the driver and proves it works before anything else starts: a wrong URI or password
 * fails here, within `connectTimeoutMs`, with a message that says what to change.
 */
export async function connectNeo4j(c: Neo4jConnection): Promise<Driver> {
  tuneBoltSockets();
  const driver = neo4j.driver(c.uri, neo4j.auth.basic(c.user, c.password), {
    disableLosslessIntegers: true,
    connectionTimeout: c.connectTimeoutMs,
    connectionAcquisitionTimeout: c.connectTimeoutMs,
    maxConnectionPoolSize: 50,
    userAgent: 'answergraph',
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${c.connectTimeoutMs} ms`), { code: 'ServiceUnavailable' })), c.connectTimeoutMs);
    });
    await Promise.race([driver.getServerInfo({ database: c.database }), deadline]);
    return driver;
  } catch (err) {
    await driver.close().catch(() => undefined);
    const code = typeof err === 'object' && err && 'code' in err ? String((err).code) : '';
    const reason = err instanceof Error ? err.message : String(err);
    if (code.startsWith('Neo.ClientError.Security')) {
      throw new AppError('SERVICE_UNAVAILABLE', `Neo4j at ${c.uri} refused user "${c.user}": ${reason}. Check NEO4J_USER and NEO4J_PASSWORD.`, { code });
    }
    if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
      throw new AppError('SERVICE_UNAVAILABLE', `Neo4j at ${c.uri} has no database "${c.database}". Check NEO4J_DATABASE.`, { code });
    }
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `Cannot reach Neo4j at ${c.uri} (${reason}). Is it running? Check NEO4J_URI, or unset it to use the local services (npm run services:up).`,
      { code },
    );
  } finally {
    clearTimeout(timer);
  }
}

let boltSocketsTuned = false;

/**
 * Node opens sockets with Nagle's algorithm on, and neo4j-driver has no socket option. The driver
 * writes a Bolt message in 1,400-byte chunks, each its own `write`: a query with a larger parameter —
 * a 384-d query vector is 3.5 kB — went out in two segments, and the second waited for the server's
 * delayed ACK: 40 ms on Linux, on every such query (measured: 45 ms → 4 ms for `RETURN 1` with a
 * vector parameter). So the driver's sockets get TCP_NODELAY, as HTTP clients' sockets have by default,
 * and their writes are corked until the end of the tick, so the chunks of a message (and whatever else
 * the driver writes in the same tick) leave in one `writev` instead of a syscall each — the retrieval
 * query's text and vector are about ten chunks. (Profiled under 16 concurrent `answer` calls before
 * this: the write syscalls were about a tenth of the API process's busy time.)
 *
 * The driver opens its sockets with `net.connect(port, host, cb)` / `tls.connect(port, host, options,
 * cb)`; only calls of that form (a port number first) are tuned. ioredis (`net.createConnection`) and
 * undici (an options object) are left as they are.
 */
function tuneBoltSockets(): void {
  if (boltSocketsTuned) return;
  boltSocketsTuned = true;
  const connect = net.connect;
  const tlsConnect = tls.connect;
  (net as { connect: unknown }).connect = (...args: Parameters<typeof net.connect>) => tuneIfBolt(connect(...args), args[0]);
  (tls as { connect: unknown }).connect = (...args: Parameters<typeof tls.connect>) => tuneIfBolt(tlsConnect(...args), args[0]);
}

function tuneIfBolt<S extends net.Socket>(socket: S, first: unknown): S {
  if (typeof first !== 'number') return socket;
  socket.setNoDelay(true);
  const write = socket.write;
  socket.write = function (this: S, ...args: unknown[]) {
    if (this.writableCorked === 0) {
      this.cork();
      process.nextTick(() => this.uncork());
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  };
  return socket;
}
