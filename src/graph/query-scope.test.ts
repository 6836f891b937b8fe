import DataLoader from 'dataloader';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CypherExecutor, type QueryEvent } from './executor.js';
import { currentRequest, describeRequest, iterateInRequest, observeQueries, recordQueriesInto, runInRequest } from './query-scope.js';

/** A driver whose sessions answer every statement with no rows after a macrotask (as a socket would). */
const driver = {
  session: () => {
    const run = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { records: [] };
    };
    return {
      run,
      executeRead: (work: (tx: { run: typeof run }) => Promise<unknown>) => work({ run }),
      executeWrite: (work: (tx: { run: typeof run }) => Promise<unknown>) => work({ run }),
      close: async () => {},
    };
  },
};

const executor = (observers?: Array<(e: QueryEvent) => void>) =>
  new CypherExecutor(driver as never, { get: (name: string) => `// ${name}\nRETURN 1` } as never, { database: 'neo4j', logger: pino({ level: 'silent' }), observers });

const names = (events: QueryEvent[]) => events.map((e) => e.name);

describe('observeQueries', () => {
  it('records what any executor runs in the scope: the one it was built with, its views, statements in transactions', async () => {
    // Built outside the scope, as repositories are.
    const base = executor();
    const { result, queries } = await observeQueries(async () => {
      await base.read('a/read');
      await base.with({ metadata: { requestId: 'r1' } }).write('a/write');
      await base.after(['bookmark']).readText('a/text', 'RETURN 1');
      return base.writeTx('a/unit', async (tx) => {
        await tx.run('a/first');
        await tx.runText('a/second', 'RETURN 2');
        return 'done';
      });
    });
    expect(result).toBe('done');
    expect(names(queries)).toEqual(['a/read', 'a/write', 'a/text', 'a/first', 'a/second']);
    expect(queries.map((q) => q.mode)).toEqual(['READ', 'WRITE', 'READ', 'WRITE', 'WRITE']);
  });

  it('keeps concurrent scopes apart and records nothing outside them', async () => {
    const base = executor();
    const scoped = (prefix: string) =>
      observeQueries(async () => {
        for (let i = 0; i < 3; i++) await base.read(`${prefix}/${i}`);
      });
    const [a, b] = await Promise.all([scoped('a'), scoped('b'), base.read('outside')]);
    expect(names(a.queries)).toEqual(['a/0', 'a/1', 'a/2']);
    expect(names(b.queries)).toEqual(['b/0', 'b/1', 'b/2']);
  });

  it('records a DataLoader batch scheduled from inside the scope once, whoever asked for the keys', async () => {
    const base = executor();
    const loader = new DataLoader(async (ids: readonly string[]) => {
      await base.read('batch/by-ids', { ids });
      return ids;
    });
    const { queries } = await observeQueries(() => Promise.all(['1', '2', '3'].map((id) => loader.load(id))));
    expect(names(queries)).toEqual(['batch/by-ids']);
  });

  it('lets an enclosing scope see what a nested one records', async () => {
    const base = executor();
    const outer: QueryEvent[] = [];
    const inner = await recordQueriesInto(outer, async () => {
      await base.read('outer/before');
      const { queries } = await observeQueries(() => base.read('inner'));
      await base.read('outer/after');
      return queries;
    });
    expect(names(inner)).toEqual(['inner']);
    expect(names(outer)).toEqual(['outer/before', 'inner', 'outer/after']);
  });

  it('leaves the observers option working alongside', async () => {
    const seen: string[] = [];
    const base = executor([(e) => seen.push(e.name)]);
    const { queries } = await observeQueries(() => base.with({ observer: (e) => seen.push(`view:${e.name}`) }).read('x/one'));
    expect(seen).toEqual(['x/one', 'view:x/one']);
    expect(names(queries)).toEqual(['x/one']);
  });
});

describe('request scope', () => {
  it('iterates a source inside the request: each step sees it, even when iterated from outside; return() reaches the source', async () => {
    let finished = false;
    async function* source() {
      try {
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield `${i}:${currentRequest()?.requestId ?? 'none'}`;
        }
      } finally {
        finished = true;
      }
    }
    const scoped = iterateInRequest({ requestId: 'sub-1', keyId: 'k' }, source());
    expect(currentRequest()).toBeUndefined();
    expect((await scoped.next()).value).toBe('0:sub-1');
    expect((await scoped.next()).value).toBe('1:sub-1');
    expect(await scoped.return(undefined)).toEqual({ done: true, value: undefined });
    expect(finished).toBe(true);
  });

  it('describeRequest adds to the scope it runs in only', async () => {
    describeRequest({ keyId: 'nowhere' });
    expect(currentRequest()).toBeUndefined();
    const seen = await runInRequest({ requestId: 'r' }, async () => {
      const before = { ...currentRequest() };
      await Promise.resolve();
      describeRequest({ keyId: 'k' });
      return [before, { ...currentRequest() }];
    });
    expect(seen).toEqual([{ requestId: 'r' }, { requestId: 'r', keyId: 'k' }]);
  });
});
