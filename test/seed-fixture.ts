import path from 'node:path';
import { projectRoot } from '../src/app.js';
import { readSeed } from '../src/knowledge/seed.js';
import type { TestApi } from './harness.js';

/**
 * Loads the demo knowledge base (published) through the API, embeds it and builds the intent
 * classifier, so answers can be asked at once. Call it first in a file: every file starts from an
 * empty graph (test/file-setup.ts), so the demo items are then all there is for answers to find.
 */
export async function loadSeed(api: TestApi): Promise<void> {
  const imported = await api.gql<{ importKnowledge: { errors: Array<{ message: string }> } }>(
    'mutation($data: String!) { importKnowledge(format: JSONL, data: $data, publish: true) { created updated unchanged errors { line message } } }',
    { data: readSeed(path.join(projectRoot, 'seeds')) },
  );
  if (imported.body.errors || imported.body.data?.importKnowledge.errors.length) {
    throw new Error(`seed import failed: ${JSON.stringify(imported.body.errors ?? imported.body.data?.importKnowledge.errors)}`);
  }
  // In-process rather than through the mutations: on a slow machine embedding the seed takes longer
  // than the resolver timeout. (The mutations call exactly these.)
  await Promise.all([api.app.services.retrieval.embedder.embedPending(), api.app.services.dialogue.intents.train()]);
}

/** API keys per role, created once per test file. */
export async function createKeys(api: TestApi, run: string): Promise<Record<'CUSTOMER' | 'AGENT' | 'AGENT2' | 'EDITOR' | 'SERVICE', string>> {
  const keys: Record<string, string> = {};
  for (const [label, role] of [['CUSTOMER', 'CUSTOMER'], ['AGENT', 'AGENT'], ['AGENT2', 'AGENT'], ['EDITOR', 'EDITOR'], ['SERVICE', 'SERVICE']] as const) {
    const r = await api.gql<{ createApiKey: { key: string } }>('mutation($role: Role!, $name: String!) { createApiKey(role: $role, name: $name) { key } }', { role, name: `${label}-${run}` });
    if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
    keys[label] = r.body.data.createApiKey.key;
  }
  return keys as Record<'CUSTOMER' | 'AGENT' | 'AGENT2' | 'EDITOR' | 'SERVICE', string>;
}
