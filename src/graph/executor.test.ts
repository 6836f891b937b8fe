import { Neo4jError } from 'neo4j-driver';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { CypherExecutor } from './executor.js';
import { describeRequest, runInRequest } from './query-scope.js';

/**
 * The retry logic of auto-committed reads, against a scripted driver (what Neo4j answers is covered by
 * the integration tests against the real server; here only when the executor tries again).
 */
function scriptedDriver(answers: Array<Error | Array<Record<string, unknown>>>) {
  const calls: Array<{ cypher: string; config: unknown }> = [];
  let closed = 0;
  const driver = {
    session: () => ({
      run: async (cypher: string, _params: unknown, config: unknown) => {
        calls.push({ cypher, config });
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return { records: (next ?? []).map((row) => ({ toObject: () => row })) };
      },
      close: async () => {
        closed++;
      },
    }),
  };
  return { driver, calls, closedSessions: () => closed };
}

const executor = (driver: unknown) =>
  new CypherExecutor(driver as never, { get: (name: string) => `// ${name}\nRETURN 1` } as never, { database: 'neo4j', logger: pino({ level: 'silent' }), timeoutMs: 5000 });

describe('CypherExecutor.read (auto-commit)', () => {
  it('runs one statement with the transaction metadata and timeout, and closes its session', async () => {
    const s = scriptedDriver([[{ n: 1 }]]);
    expect(await executor(s.driver).read('test/one')).toEqual([{ n: 1 }]);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]!.config).toMatchObject({ metadata: { app: 'answergraph', unit: 'test/one' }, timeout: 5000 });
    expect(s.closedSessions()).toBe(1);
  });

  it('runs a read again after a transient error', async () => {
    const s = scriptedDriver([new Neo4jError('leader switch', 'Neo.TransientError.General.DatabaseUnavailable', '', ''), [{ n: 2 }]]);
    expect(await executor(s.driver).read('test/two')).toEqual([{ n: 2 }]);
    expect(s.calls).toHaveLength(2);
    expect(s.closedSessions()).toBe(2);
  });

  it('does not retry a client error, and types it', async () => {
    const s = scriptedDriver([new Neo4jError('bad', 'Neo.ClientError.Statement.SyntaxError', '', '')]);
    const error = await executor(s.driver).read('test/three').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(s.calls).toHaveLength(1);
  });
});

describe('CypherExecutor transaction metadata (request scope)', () => {
  /** Records the configuration of every transaction: auto-commit reads (session.run) and units of work (executeRead/executeWrite). */
  function recordingDriver() {
    const configs: Array<{ metadata: Record<string, string> }> = [];
    const run = () => Promise.resolve({ records: [] });
    type Work = (tx: { run: typeof run }) => Promise<unknown>;
    const driver = {
      session: () => ({
        run: (_cypher: string, _params: unknown, config: { metadata: Record<string, string> }) => {
          configs.push(config);
          return run();
        },
        executeRead: (work: Work, config: { metadata: Record<string, string> }) => {
          configs.push(config);
          return work({ run });
        },
        executeWrite: (work: Work, config: { metadata: Record<string, string> }) => {
          configs.push(config);
          return work({ run });
        },
        close: () => Promise.resolve(),
      }),
    };
    return { driver, metadata: () => configs.map((c) => c.metadata) };
  }

  it('puts the request id and key id on every transaction run in the request, whichever way it runs', async () => {
    const d = recordingDriver();
    const ex = executor(d.driver);
    await runInRequest({ requestId: 'req-1', keyId: 'key-1' }, async () => {
      await ex.read('a/read');
      await ex.write('a/write');
      await ex.readTx('a/read-unit', (tx) => tx.run('a/one'));
      await ex.with({ timeoutMs: 60_000 }).writeTx('a/write-unit', (tx) => tx.run('a/two'));
    });
    expect(d.metadata()).toEqual(['a/read', 'a/write', 'a/read-unit', 'a/write-unit'].map((unit) => ({ app: 'answergraph', unit, requestId: 'req-1', keyId: 'key-1' })));
  });

  it('adds nothing outside a request; a key id learned later reaches the transactions after it', async () => {
    const d = recordingDriver();
    const ex = executor(d.driver);
    await ex.read('outside');
    await runInRequest({ requestId: 'req-2' }, async () => {
      await ex.read('before-auth');
      describeRequest({ keyId: 'key-2' });
      await ex.read('after-auth');
    });
    expect(d.metadata()).toEqual([
      { app: 'answergraph', unit: 'outside' },
      { app: 'answergraph', unit: 'before-auth', requestId: 'req-2' },
      { app: 'answergraph', unit: 'after-auth', requestId: 'req-2', keyId: 'key-2' },
    ]);
  });

  it('keeps concurrent requests apart; metadata a view was given explicitly wins over the scope', async () => {
    const d = recordingDriver();
    const ex = executor(d.driver);
    const request = (id: string) =>
      runInRequest({ requestId: id, keyId: `key-${id}` }, async () => {
        for (let i = 0; i < 3; i++) await ex.read(`${id}/${i}`);
      });
    await Promise.all([request('a'), request('b'), runInRequest({ requestId: 'c' }, () => ex.with({ metadata: { requestId: 'job-7' } }).read('c/0'))]);
    const byUnit = new Map(d.metadata().map((m) => [m.unit, m]));
    for (const id of ['a', 'b']) for (let i = 0; i < 3; i++) expect(byUnit.get(`${id}/${i}`)).toMatchObject({ requestId: id, keyId: `key-${id}` });
    expect(byUnit.get('c/0')).toMatchObject({ requestId: 'job-7' });
  });
});
