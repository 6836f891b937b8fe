import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { CypherExecutor } from '../graph/executor.js';
import { importKnowledge, type ImportResult } from './knowledge.import.js';
import type { KnowledgeService } from './knowledge.service.js';

interface SeedManifest {
  import: { format: 'JSONL'; files: string[] };
}

/** The demo knowledge base in `seeds/`, as one import (files in manifest order: entities first). */
export function readSeed(seedsDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(seedsDir, 'manifest.json'), 'utf8')) as SeedManifest;
  return manifest.import.files.map((f) => readFileSync(path.join(seedsDir, f), 'utf8').replace(/\s+$/, '')).join('\n');
}

/** Loads the demo seed, published, when the graph holds no knowledge yet. Returns null when it did nothing. */
export async function seedIfEmpty(service: KnowledgeService, executor: CypherExecutor, seedsDir: string, logger: Logger): Promise<ImportResult | null> {
  const [row] = await executor.readText('seed/count', 'MATCH (k:Knowledge) RETURN count(k) AS n');
  if (Number(row?.n ?? 0) > 0) return null;
  const started = performance.now();
  const result = await importKnowledge(service, executor, {
    format: 'JSONL',
    data: readSeed(seedsDir),
    publish: true,
    by: 'seed',
    access: { visibilities: ['PUBLIC', 'INTERNAL', 'RESTRICTED'], statuses: ['DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED', 'REJECTED'] },
    // The demo seed is a bootstrap (like ADMIN), RESTRICTED examples included.
    mayPublishRestricted: true,
  });
  if (result.errors.length > 0) {
    throw new AppError('INTERNAL', `The demo seed does not import: ${result.errors.slice(0, 5).map((e) => e.message).join('; ')}`);
  }
  logger.info({ ...result, errors: undefined, ms: Math.round(performance.now() - started) }, 'demo knowledge base loaded');
  return result;
}
