import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeviceUnavailableError,
  ModelChecksumMismatchError,
  ModelFileMissingError,
  ModelNotFoundError,
  ModelsManifestInvalidError,
  ModelsManifestMissingError,
} from './inference.errors.js';
import { cudaProviderInstalled, ModelRegistry, sha256File } from './model-registry.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'answergraph-models-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeModel(name: string, content: string, sha256?: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  const file = path.join(dir, name, 'model.onnx');
  await writeFile(file, content);
  const manifest = {
    models: [
      {
        name,
        task: 'embedding',
        dir: name,
        files: { model: 'model.onnx' },
        sha256: { 'model.onnx': sha256 ?? (await sha256File(file)) },
        maxLength: 128,
        languages: ['en'],
      },
    ],
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

describe('ModelRegistry', () => {
  it('tells-to-run-npm-run-models-when-the-manifest-is-missing', async () => {
    const registry = new ModelRegistry({ modelsDir: dir });
    const error = await registry.load('minilm-embed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelsManifestMissingError);
    expect((error as Error).message).toContain('npm run models');
    expect(error).toMatchObject({ reason: 'MODELS_MANIFEST_MISSING', code: 'SERVICE_UNAVAILABLE', category: 'unavailable' });
  });

  it('rejects-an-invalid-manifest-with-the-offending-field', async () => {
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ models: [{ name: 'x', task: 'dance' }] }));
    const error = await new ModelRegistry({ modelsDir: dir }).manifest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelsManifestInvalidError);
    expect((error as Error).message).toMatch(/models\.0\.task/);
  });

  it('names-available-models-when-one-is-missing', async () => {
    await writeModel('minilm-embed', 'fake');
    const error = await new ModelRegistry({ modelsDir: dir }).load('ner').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect((error as Error).message).toMatch(/"ner".*available: minilm-embed.*npm run models/);
  });

  it('detects-a-checksum-mismatch-before-loading', async () => {
    await writeModel('minilm-embed', 'fake', 'a'.repeat(64));
    const registry = new ModelRegistry({ modelsDir: dir });
    const error = await registry.verify('minilm-embed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelChecksumMismatchError);
    expect(error).toMatchObject({ reason: 'MODEL_CHECKSUM_MISMATCH', code: 'INTERNAL', category: 'fault', expected: 'a'.repeat(64) });
    expect((error as Error).message).toContain('npm run models');
  });

  it('rereads-a-manifest-rewritten-by-a-rebuild-before-calling-a-checksum-a-mismatch', async () => {
    await writeModel('minilm-embed', 'old', 'b'.repeat(64));
    const registry = new ModelRegistry({ modelsDir: dir });
    await registry.manifest();
    // The builder swaps in new files and rewrites the manifest after this registry read it.
    await writeModel('minilm-embed', 'new');
    await expect(registry.verify('minilm-embed')).resolves.toBeUndefined();
  });

  it('accepts-matching-checksums', async () => {
    await writeModel('minilm-embed', 'fake');
    await expect(new ModelRegistry({ modelsDir: dir }).verify('minilm-embed')).resolves.toBeUndefined();
  });

  it('reports-a-missing-model-file', async () => {
    await writeModel('minilm-embed', 'fake');
    await rm(path.join(dir, 'minilm-embed', 'model.onnx'));
    const error = await new ModelRegistry({ modelsDir: dir }).load('minilm-embed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileMissingError);
    expect((error as Error).message).toContain('npm run models');
  });

  it.skipIf(cudaProviderInstalled())('fails-clearly-when-cuda-is-demanded-but-not-installed', async () => {
    const registry = new ModelRegistry({ modelsDir: dir, device: 'cuda' });
    const error = await registry.load('minilm-embed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceUnavailableError);
    expect(error).toMatchObject({ reason: 'DEVICE_UNAVAILABLE', code: 'SERVICE_UNAVAILABLE', device: 'cuda' });
    expect((error as Error).message).toMatch(/"cuda" was demanded but is not available.*Use device "cpu"/s);
  });

  it('refuses-loads-after-close', async () => {
    const registry = new ModelRegistry({ modelsDir: dir });
    await registry.close();
    await expect(registry.load('minilm-embed')).rejects.toThrow(/closed/);
  });
});
