import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CypherLoader } from './cypher-loader.js';

/** A throwaway `cypher/` folder with these files (relative paths, without `.cypher`). */
function root(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cypher-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, `${name}.cypher`), text);
  }
  return dir;
}

const fragments = {
  'fragments/visible': "// Visible to the caller.\n// @vars k\n(k.visibility IN $visibilities\n AND k.status IN $statuses)\n",
  'fragments/pair': "// @vars a b\n(a.x = b.x AND a.label <> 'a.b')\n",
};

const failure = (dir: string, name: string) => {
  try {
    new CypherLoader(dir).get(name);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${name} loaded`);
};

describe('CypherLoader fragments', () => {
  it('expands a placeholder once, on its own line, for the variable it names; comments and strings are left alone', () => {
    const dir = root({
      ...fragments,
      'q/one': "// Header: {{visible k}} in a comment stays.\nMATCH (item:Knowledge)\nWHERE {{visible item}} AND item.name <> '{{x}}'\nRETURN item",
    });
    const loader = new CypherLoader(dir);
    const text = loader.get('q/one');
    expect(text).toBe(
      "// Header: {{visible k}} in a comment stays.\nMATCH (item:Knowledge)\nWHERE (item.visibility IN $visibilities AND item.status IN $statuses) AND item.name <> '{{x}}'\nRETURN item",
    );
    expect(loader.get('q/one')).toBe(text);
  });

  it('substitutes every variable of a fragment, never inside its strings or property names', () => {
    const dir = root({ ...fragments, 'q/two': 'MATCH (m)-->(n) WHERE {{pair m n}} RETURN m' });
    expect(new CypherLoader(dir).get('q/two')).toBe("MATCH (m)-->(n) WHERE (m.x = n.x AND m.label <> 'a.b') RETURN m");
  });

  it('leaves a query without placeholders as it is', () => {
    const text = '// Plain.\nMATCH (n) RETURN n {a: {b: 1}}';
    expect(new CypherLoader(root({ 'q/plain': text })).get('q/plain')).toBe(text);
  });

  it('names the file and line of an unknown fragment, a missing or surplus variable, and a variable the query does not bind', () => {
    const dir = root({
      ...fragments,
      'q/unknown': 'MATCH (k:Knowledge)\nWHERE {{visibel k}}\nRETURN k',
      'q/missing': 'MATCH (k:Knowledge)\n\nWHERE {{visible}}\nRETURN k',
      'q/surplus': 'MATCH (k:Knowledge) WHERE {{visible k j}} RETURN k',
      'q/unbound': 'MATCH (k:Knowledge)\nWHERE {{visible kk}}\nRETURN k',
      'q/broken': 'MATCH (k:Knowledge)\nWHERE {{visible k}\nRETURN k',
    });
    expect(failure(dir, 'q/unknown')).toMatch(/q\/unknown\.cypher:2: \{\{visibel k\}\}: unknown fragment "visibel" \(known: pair, visible\)/);
    expect(failure(dir, 'q/missing')).toMatch(/q\/missing\.cypher:3: \{\{visible\}\}: missing variable: fragment visible takes 1 \(k\), got 0/);
    expect(failure(dir, 'q/surplus')).toMatch(/q\/surplus\.cypher:1: .*too many variables/);
    expect(failure(dir, 'q/unbound')).toMatch(/q\/unbound\.cypher:2: \{\{visible kk\}\}: variable kk does not occur in the query/);
    expect(failure(dir, 'q/broken')).toMatch(/q\/broken\.cypher:2: "\{\{" starts no placeholder/);
  });

  it('refuses a fragment loaded as a query, and a fragment without declared variables', () => {
    const dir = root({ ...fragments, 'fragments/bare': '(k.x = 1)', 'q/bare': 'MATCH (k) WHERE {{bare k}} RETURN k' });
    expect(failure(dir, 'fragments/visible')).toMatch(/is a fragment, not a query/);
    expect(failure(dir, 'q/bare')).toMatch(/fragments\/bare\.cypher: a fragment declares its variables/);
  });
});

describe('CypherLoader.queryNames', () => {
  it('lists the queries that run by name, sorted: not fragments, not migrations', () => {
    const dir = root({ ...fragments, 'b/two': 'RETURN 2', 'a/one': 'RETURN 1', 'a/deeper/three': 'RETURN 3', 'migrations/0001-init': 'CREATE INDEX x IF NOT EXISTS FOR (n:N) ON (n.x)' });
    expect(new CypherLoader(dir).queryNames()).toEqual(['a/deeper/three', 'a/one', 'b/two']);
  });
});
