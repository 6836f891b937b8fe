import { copyFile, mkdtemp, readFile, rm, symlink, writeFile, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, type TestApi } from './harness.js';

/**
 * Readiness is real: /readyz and `health.models` are true only when every model the role needs is loaded
 * and its files match the manifest's sha256. Each case runs the API over its own temporary models dir,
 * made of links to the built models (so nothing is copied but the file a case breaks).
 */
const builtModels = process.env.ANSWERGRAPH_MODELS_DIR ?? path.join(os.homedir(), '.cache', 'answergraph', 'models');
const dirs: string[] = [];

async function linkedModelsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'answergraph-models-'));
  dirs.push(dir);
  const manifest = JSON.parse(await readFile(path.join(builtModels, 'manifest.json'), 'utf8')) as { models: Array<{ dir: string }> };
  for (const m of manifest.models) {
    await mkdir(path.join(dir, m.dir), { recursive: true });
    for (const f of await readdir(path.join(builtModels, m.dir))) await symlink(path.join(builtModels, m.dir, f), path.join(dir, m.dir, f));
  }
  await copyFile(path.join(builtModels, 'manifest.json'), path.join(dir, 'manifest.json'));
  return dir;
}

async function readiness(api: TestApi): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('readiness reflects the models', () => {
  let api: TestApi | undefined;
  afterAll(async () => api?.close());

  it('is not ready, with a reason, when the models manifest is missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'answergraph-models-'));
    dirs.push(dir);
    api = await startTestApi({ ANSWERGRAPH_MODELS_DIR: dir }, {});
    const r = await eventually(async () => {
      const x = await readiness(api as TestApi);
      expect(x.body.modelIssues).toEqual(expect.arrayContaining([expect.stringMatching(/manifest/iu)]));
      return x;
    }, 30_000);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 'not ready', neo4j: true, redis: true, models: false });
    const health = await api.gql('{ health { status models modelIssues } }', {}, null);
    expect(health.body.data).toMatchObject({ health: { status: 'ok', models: false } });
    await api.close();
    api = undefined;
  });

  it('is not ready when a model file no longer matches its checksum, and names the model', async () => {
    const dir = await linkedModelsDir();
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { models: Array<{ name: string; dir: string; files: { model: string } }> };
    const ner = manifest.models.find((m) => m.name === 'ner');
    if (!ner) throw new Error('the ner model is not built');
    // Replace the link by a corrupted copy of the tokenizer config.
    const target = path.join(dir, ner.dir, 'tokenizer.json');
    const original = await readFile(target, 'utf8');
    await rm(target);
    await writeFile(target, original.replace('"', "'"));
    api = await startTestApi({ ANSWERGRAPH_MODELS_DIR: dir }, {});
    const r = await eventually(async () => {
      const x = await readiness(api as TestApi);
      expect(x.body.modelIssues).toEqual(expect.arrayContaining([expect.stringMatching(/^ner: .*sha256|^ner: .*checksum/iu)]));
      return x;
    }, 60_000);
    expect(r.status).toBe(503);
    expect(r.body.models).toBe(false);
    await api.close();
    api = undefined;
  });

  it('is ready when every model of the role loads and verifies', async () => {
    const dir = await linkedModelsDir();
    api = await startTestApi({ ANSWERGRAPH_MODELS_DIR: dir }, {});
    const r = await eventually(async () => {
      const x = await readiness(api as TestApi);
      expect(x.status).toBe(200);
      return x;
    }, 60_000);
    expect(r.body).toMatchObject({ status: 'ready', models: true, modelIssues: [] });
  });
});
