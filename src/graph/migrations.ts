import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { CypherExecutor } from './executor.js';

export interface Migration {
  id: string;
  checksum: string;
  statements: string[];
}

/** Splits a migration file into statements: `;` ends a statement at the end of a line; `//` lines are comments. */
export function parseMigration(text: string): string[] {
  const withoutComments = text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.cypher$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      return {
        id: file.replace(/\.cypher$/, ''),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: parseMigration(text),
      };
    });
}

/**
 * Applies pending migrations in order and records each as a `(:Migration)` node. Statements are
 * idempotent (`IF NOT EXISTS`), so a crash between a statement and its record is safe to re-run.
 * An applied migration whose file changed is an error: write a new migration instead.
 */
export async function migrate(executor: CypherExecutor, dir: string, logger: Logger): Promise<{ applied: string[] }> {
  const migrations = loadMigrations(dir);
  const rows = await executor.readText('migrations/applied', 'MATCH (m:Migration) RETURN m.id AS id, m.checksum AS checksum');
  const applied = new Map(rows.map((r) => [String(r.id), String(r.checksum)]));
  const done: string[] = [];
  for (const m of migrations) {
    const known = applied.get(m.id);
    if (known !== undefined) {
      if (known !== m.checksum) {
        throw new AppError('INTERNAL', `Migration ${m.id} was changed after it was applied; add a new migration instead of editing it.`);
      }
      continue;
    }
    for (const [i, statement] of m.statements.entries()) {
      // Schema statements cannot share a transaction with writes: one transaction each.
      await executor.writeText(`migrations/${m.id}#${i + 1}`, statement);
    }
    await executor.writeText(
      'migrations/record',
      'MERGE (m:Migration {id: $id}) SET m.checksum = $checksum, m.appliedAt = datetime()',
      { id: m.id, checksum: m.checksum },
    );
    logger.info({ migration: m.id, statements: m.statements.length }, 'migration applied');
    done.push(m.id);
  }
  // Indexes populate in the background; wait so the first query after start can use them.
  await executor.readText('migrations/await-indexes', 'CALL db.awaitIndexes(300)');
  return { applied: done };
}
