import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  DeviceUnavailableError,
  InferenceClosedError,
  ModelChecksumMismatchError,
  ModelFileMissingError,
  ModelNotFoundError,
} from './inference.errors.js';
import { readManifest, type ModelSpec, type ModelsManifest } from './manifest.js';
import { createModelSession, type ModelSession, type SessionIsolation } from './model-session.js';
import { TextTokenizer } from './tokenizer.js';

export type InferenceDevice = 'cpu' | 'cuda' | 'auto';

/** Options of the {@link ModelRegistry}; the composition root fills them from the config module. */
export interface ModelRegistryOptions {
  /** Directory with `manifest.json` and one folder per model (`ANSWERGRAPH_MODELS_DIR`, default `~/.cache/answergraph/models`). */
  modelsDir: string;
  /**
   * `cpu`; `cuda` (fails with {@link DeviceUnavailableError} when the CUDA provider or a GPU is missing);
   * `auto` (CUDA when it works, else CPU). Default `cpu`.
   */
  device?: InferenceDevice;
  /** Threads one session uses inside an operator. Default: available cores, at most 4. */
  intraOpThreads?: number;
  /** Threads for running independent operators in parallel. Default 1 (sessions run sequentially). */
  interOpThreads?: number;
  /** Where sessions run: `worker` (default; keeps the event loop free) or `inline` (calling thread). */
  isolation?: SessionIsolation;
  /** Verify the manifest's sha256 of every model file before first use. Default true. */
  verifyChecksums?: boolean;
  logger?: Logger;
  /** Observes every session run (metrics: latency per model and device). */
  onRun?: (e: { model: string; device: 'cpu' | 'cuda'; ms: number; ok: boolean }) => void;
}

/** A model ready to run: its manifest entry, its session, and its tokenizer unless it takes text. */
export interface LoadedModel {
  spec: ModelSpec;
  /** Absolute directory of the model. */
  dir: string;
  session: ModelSession;
  tokenizer: TextTokenizer | null;
  /** `tokens`: input_ids/attention_mask[/token_type_ids]; `text`: one string tensor. */
  inputKind: 'tokens' | 'text';
  /** The device the session really runs on. */
  device: 'cpu' | 'cuda';
  /** Output classes in index order: the manifest's `labels`, else `config.json` `id2label`; null if neither. */
  labels: string[] | null;
}

const defaultIntraOpThreads = (): number => Math.max(1, Math.min(4, os.availableParallelism()));

/** Whether onnxruntime-node was installed with its CUDA provider libraries (the default install has none). */
export function cudaProviderInstalled(): boolean {
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    const binDir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(path.join(binDir, lib));
  } catch {
    return false;
  }
}

async function readId2Label(configPath: string): Promise<string[] | null> {
  let config: unknown;
  try {
    config = JSON.parse(await readFile(configPath, 'utf8'));
  } catch {
    return null;
  }
  const id2label = (config as { id2label?: Record<string, string> }).id2label;
  if (!id2label) return null;
  const entries = Object.entries(id2label).map(([k, v]) => [Number(k), v] as const);
  entries.sort((a, b) => a[0] - b[0]);
  return entries.every(([k], i) => k === i) ? entries.map(([, v]) => v) : null;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A session that reports how long each run took. */
function timedSession(session: ModelSession, model: string, device: 'cpu' | 'cuda', onRun: NonNullable<ModelRegistryOptions['onRun']>): ModelSession {
  return {
    inputs: session.inputs,
    outputs: session.outputs,
    run: async (feeds, fetches) => {
      const started = performance.now();
      let ok = false;
      try {
        const out = await session.run(feeds, fetches);
        ok = true;
        return out;
      } finally {
        onRun({ model, device, ms: performance.now() - started, ok });
      }
    },
    release: () => session.release(),
  };
}

/**
 * Reads the model manifest, verifies model files, and owns one long-lived session per model, created
 * on first use. Sessions are expensive (hundreds of ms, tens of MB); callers share them through here.
 */
export class ModelRegistry {
  readonly modelsDir: string;
  readonly device: InferenceDevice;
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
  readonly isolation: SessionIsolation;
  private readonly verifyChecksums: boolean;
  private readonly logger: Logger | undefined;

  private manifestPromise: Promise<ModelsManifest> | undefined;
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private readonly verified = new Map<string, Promise<void>>();
  private deviceLogged = false;
  private closed = false;
  private readonly onRun: ModelRegistryOptions['onRun'];
  private readonly devices = new Map<string, 'cpu' | 'cuda'>();

  constructor(options: ModelRegistryOptions) {
    this.modelsDir = path.resolve(options.modelsDir);
    this.device = options.device ?? 'cpu';
    this.intraOpThreads = Math.max(1, Math.floor(options.intraOpThreads ?? defaultIntraOpThreads()));
    this.interOpThreads = Math.max(1, Math.floor(options.interOpThreads ?? 1));
    this.isolation = options.isolation ?? 'worker';
    this.verifyChecksums = options.verifyChecksums ?? true;
    this.logger = options.logger;
    this.onRun = options.onRun;
  }

  /** Models loaded so far and the device each really runs on. */
  loadedModels(): Array<{ model: string; device: 'cpu' | 'cuda' }> {
    return [...this.devices].map(([model, device]) => ({ model, device }));
  }

  /** The validated manifest (read once; a failed read is retried on the next call). */
  manifest(): Promise<ModelsManifest> {
    if (!this.manifestPromise) {
      this.manifestPromise = readManifest(this.modelsDir);
      this.manifestPromise.catch(() => {
        this.manifestPromise = undefined;
      });
    }
    return this.manifestPromise;
  }

  async spec(name: string): Promise<ModelSpec> {
    let manifest = await this.manifest();
    let spec = manifest.models.find((m) => m.name === name);
    if (!spec) {
      // `npm run models` rewrites the manifest after every model: look again before giving up.
      this.manifestPromise = undefined;
      manifest = await this.manifest();
      spec = manifest.models.find((m) => m.name === name);
    }
    if (!spec) throw new ModelNotFoundError(name, this.modelsDir, manifest.models.map((m) => m.name));
    return spec;
  }

  async has(name: string): Promise<boolean> {
    const manifest = await this.manifest();
    return manifest.models.some((m) => m.name === name);
  }

  /** Absolute path of one of a model's files. */
  filePath(spec: ModelSpec, file: string): string {
    return path.join(this.modelsDir, spec.dir, file);
  }

  /**
   * Checks that the model's files exist and match the manifest's sha256 (once per registry). Throws
   * {@link ModelFileMissingError} or {@link ModelChecksumMismatchError}, both naming `npm run models`.
   */
  verify(name: string): Promise<void> {
    let p = this.verified.get(name);
    if (!p) {
      p = this.verifyNow(name);
      this.verified.set(name, p);
      p.catch(() => this.verified.delete(name));
    }
    return p;
  }

  private async verifyNow(name: string, retried = false): Promise<void> {
    const spec = await this.spec(name);
    try {
      await this.verifyFiles(name, spec);
    } catch (error) {
      // `npm run models` swaps a rebuilt model in and then rewrites the manifest: a mismatch against a
      // manifest read earlier may just be stale. Read it again once before failing.
      if (retried || !(error instanceof ModelChecksumMismatchError || error instanceof ModelFileMissingError)) throw error;
      this.manifestPromise = undefined;
      const fresh = await this.spec(name);
      if (JSON.stringify(fresh.sha256) === JSON.stringify(spec.sha256)) throw error;
      await this.verifyNow(name, true);
    }
  }

  private async verifyFiles(name: string, spec: ModelSpec): Promise<void> {
    const files = new Set<string>([spec.files.model, ...Object.keys(spec.sha256)]);
    for (const file of files) {
      const full = this.filePath(spec, file);
      try {
        await stat(full);
      } catch {
        throw new ModelFileMissingError(name, full);
      }
      const expected = spec.sha256[file];
      if (expected !== undefined && this.verifyChecksums) {
        const actual = await sha256File(full);
        if (actual.toLowerCase() !== expected.toLowerCase()) throw new ModelChecksumMismatchError(name, full, expected, actual);
      }
    }
  }

  /** The model's session and tokenizer, created on first call and shared afterwards. */
  load(name: string): Promise<LoadedModel> {
    if (this.closed) return Promise.reject(new InferenceClosedError('Model registry'));
    let p = this.loading.get(name);
    if (!p) {
      p = this.loadNow(name);
      this.loading.set(name, p);
      p.catch(() => this.loading.delete(name));
    }
    return p;
  }

  private async loadNow(name: string): Promise<LoadedModel> {
    // Device first: a demanded-but-missing GPU is the clearest error to give, whatever the models.
    if (this.device === 'cuda' && !cudaProviderInstalled()) {
      throw new DeviceUnavailableError(
        'cuda',
        'onnxruntime-node has no CUDA execution provider here (installed without CUDA binaries; install it with `--onnxruntime-node-install=cuda12` on a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9)',
      );
    }
    const started = performance.now();
    const spec = await this.spec(name);
    await this.verify(name);
    const dir = path.join(this.modelsDir, spec.dir);
    const modelPath = this.filePath(spec, spec.files.model);
    const config = { modelPath, intraOpNumThreads: this.intraOpThreads, interOpNumThreads: this.interOpThreads };

    let session: ModelSession;
    let device: 'cpu' | 'cuda' = 'cpu';
    let reason = this.device === 'cpu' ? 'requested cpu' : '';
    if (this.device === 'cpu') {
      session = await createModelSession({ ...config, executionProviders: ['cpu'] }, this.isolation);
    } else if (this.device === 'cuda') {
      try {
        session = await createModelSession({ ...config, executionProviders: ['cuda'] }, this.isolation);
        device = 'cuda';
        reason = 'requested cuda';
      } catch (error) {
        throw new DeviceUnavailableError('cuda', `creating a CUDA session for "${name}" failed: ${(error as Error).message}`, { cause: error });
      }
    } else if (cudaProviderInstalled()) {
      try {
        session = await createModelSession({ ...config, executionProviders: ['cuda', 'cpu'] }, this.isolation);
        device = 'cuda';
        reason = 'auto: CUDA available';
      } catch (error) {
        reason = `auto: CUDA session failed (${(error as Error).message.split('\n')[0]})`;
        session = await createModelSession({ ...config, executionProviders: ['cpu'] }, this.isolation);
      }
    } else {
      reason = 'auto: CUDA execution provider not installed';
      session = await createModelSession({ ...config, executionProviders: ['cpu'] }, this.isolation);
    }

    let tokenizer: TextTokenizer | null = null;
    const firstInput = session.inputs[0];
    const inputKind = spec.inputKind ?? spec.input ?? (firstInput?.type === 'string' ? 'text' : 'tokens');
    try {
      if (inputKind === 'tokens') tokenizer = await TextTokenizer.load(path.join(dir, path.dirname(spec.files.tokenizer ?? 'tokenizer.json')));
    } catch (error) {
      await session.release();
      throw new ModelFileMissingError(name, `${path.join(dir, spec.files.tokenizer ?? 'tokenizer.json')} (${(error as Error).message})`);
    }

    if (!this.deviceLogged) {
      this.deviceLogged = true;
      this.logger?.info(
        { device, requested: this.device, reason, intraOpThreads: this.intraOpThreads, isolation: this.isolation },
        `inference device: ${device.toUpperCase()} (${reason})`,
      );
    }
    this.logger?.debug({ model: name, device, inputKind, ms: Math.round(performance.now() - started) }, 'model loaded');
    const labels = spec.labels ?? (await readId2Label(path.join(dir, 'config.json')));
    this.devices.set(name, device);
    return { spec, dir, session: this.onRun ? timedSession(session, name, device, this.onRun) : session, tokenizer, inputKind, device, labels };
  }

  /** Releases every session; later `load` calls fail with {@link InferenceClosedError}. */
  async close(): Promise<void> {
    this.closed = true;
    const loads = [...this.loading.values()];
    this.loading.clear();
    const results = await Promise.allSettled(loads);
    await Promise.all(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.session.release()] : [])));
  }
}
