import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * Loads `cypher/<area>/<name>.cypher` by name, once. Every query file opens with a comment header
 * (parameters, what it returns, when it fails); the header stays in the text Neo4j receives, which
 * also makes the query recognisable in `SHOW TRANSACTIONS`.
 */
export class CypherLoader {
  private readonly cache = new Map<string, string>();
  constructor(private readonly root: string) {}

  get(name: string): string {
    let text = this.cache.get(name);
    if (text === undefined) {
      if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(name)) {
        throw new AppError('INTERNAL', `Invalid cypher query name "${name}"`);
      }
      text = readFileSync(path.join(this.root, `${name}.cypher`), 'utf8');
      this.cache.set(name, text);
    }
    return text;
  }
}
