import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CypherLoader } from './graph/cypher-loader.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The names `QueryRows` declares, read from its source (types leave nothing to list at run time). */
function declaredNames(): string[] {
  const source = readFileSync(path.join(here, 'query-rows.ts'), 'utf8');
  const body = /\n {2}interface QueryRows \{\n([\s\S]*?)\n {2}\}/.exec(source)?.[1];
  if (body === undefined) throw new Error('query-rows.ts declares no QueryRows interface');
  return [...body.matchAll(/^ {4}'([^']+)':/gm)].map((m) => m[1]!);
}

describe('QueryRows', () => {
  const loader = new CypherLoader(path.resolve(here, '../cypher'));

  it('names only queries that exist (a renamed or removed query fails here, not as a silently untyped call)', () => {
    const names = declaredNames();
    expect(names.length).toBeGreaterThan(0);
    const queries = new Set(loader.queryNames());
    expect(names.filter((n) => !queries.has(n))).toEqual([]);
    for (const name of names) expect(() => loader.get(name)).not.toThrow();
  });
});
