import { Neo4jError } from 'neo4j-driver';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { CypherExecutor } from './executor.js';

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
