import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { InferenceClosedError, InferenceRunError } from './inference.errors.js';

/**
 * A long-lived ONNX Runtime session for one model, hosted either in a worker thread (default) or on
 * the calling thread.
 *
 * Why a worker: in onnxruntime-node 1.30 `InferenceSession.run()` returns a promise but executes the
 * graph synchronously on the JS thread (the binding's `run` is called from a `setImmediate`), so a
 * 30 ms model run is a 30 ms event-loop stall — measured in bench/inference.ts, "isolation" rows. In a
 * worker the stall moves off the API thread. Inputs and outputs cross as transferred ArrayBuffers (no
 * copy); the cost is a message round trip per batch.
 *
 * The worker's code is a plain-JS string evaluated with `eval: true` and `require`s onnxruntime-node by
 * absolute path: a worker file written in TypeScript would need a TS loader in the worker, which
 * vitest, tsx and the compiled `dist/` provide differently.
 */

export type TensorType = 'float32' | 'int64' | 'int32' | 'string' | 'float64' | 'bool' | 'uint8' | 'int8';

/** A tensor as plain data, so that it can cross a thread boundary. */
export interface TensorData {
  type: TensorType;
  data: Float32Array | BigInt64Array | Int32Array | Float64Array | Uint8Array | Int8Array | string[];
  dims: number[];
}

export interface ValueInfo {
  name: string;
  /** Element type; undefined for non-tensor values (maps, sequences). */
  type?: string;
  /** Dimensions, symbolic ones as names. */
  shape?: (number | string)[];
}

export interface SessionConfig {
  modelPath: string;
  executionProviders: string[];
  intraOpNumThreads: number;
  interOpNumThreads: number;
}

export type SessionIsolation = 'worker' | 'inline';

export interface ModelSession {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Record<string, TensorData>, fetches?: readonly string[]): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

function sessionOptions(config: SessionConfig): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: config.executionProviders,
    intraOpNumThreads: config.intraOpNumThreads,
    interOpNumThreads: config.interOpNumThreads,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // ORT's intra-op threads spin between runs by default, burning a core each while waiting for work;
    // on a machine the API, the workers and Neo4j share, that was half the answer path's CPU
    // (measured: ≈ 30 → 16 ms of API CPU per `answer` at 16 concurrent; src/inference/README.md). Idle threads block instead.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

function valueInfos(metadata: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return metadata.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name },
  );
}

/** Session on the calling thread: lowest overhead, but every run blocks the event loop. */
class InlineModelSession implements ModelSession {
  private released = false;
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputs: readonly ValueInfo[],
    readonly outputs: readonly ValueInfo[],
  ) {}

  static async create(config: SessionConfig): Promise<InlineModelSession> {
    const session = await ort.InferenceSession.create(config.modelPath, sessionOptions(config));
    return new InlineModelSession(session, valueInfos(session.inputMetadata), valueInfos(session.outputMetadata));
  }

  async run(feeds: Record<string, TensorData>, fetches?: readonly string[]): Promise<Record<string, TensorData>> {
    if (this.released) throw new InferenceClosedError('Model session');
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const out = await (fetches ? this.session.run(ortFeeds, [...fetches]) : this.session.run(ortFeeds)).catch((error: unknown) => {
      throw new InferenceRunError(error instanceof Error ? error.message : String(error), { cause: error });
    });
    const result: Record<string, TensorData> = {};
    for (const [name, value] of Object.entries(out)) {
      result[name] = { type: value.type as TensorType, data: value.data as TensorData['data'], dims: [...value.dims] };
    }
    return result;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
const toData = (value) => ({ type: value.type, data: value.data, dims: Array.from(value.dims) });
const meta = (list) => list.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: Array.from(m.shape) } : { name: m.name }));
parentPort.on('message', async (msg) => {
  if (msg.kind === 'release') {
    try { if (session) await session.release(); } finally { session = undefined; parentPort.postMessage({ kind: 'released' }); }
    return;
  }
  if (msg.kind !== 'run') return;
  try {
    const feeds = {};
    for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const out = msg.fetches ? await session.run(feeds, msg.fetches) : await session.run(feeds);
    const result = {};
    const transfer = [];
    for (const [name, value] of Object.entries(out)) {
      const data = toData(value);
      result[name] = data;
      if (ArrayBuffer.isView(data.data)) transfer.push(data.data.buffer);
    }
    parentPort.postMessage({ kind: 'result', id: msg.id, result }, transfer);
  } catch (error) {
    parentPort.postMessage({ kind: 'error', id: msg.id, message: error && error.message ? error.message : String(error) });
  }
});
ort.InferenceSession.create(workerData.modelPath, workerData.options).then(
  (created) => {
    session = created;
    parentPort.postMessage({ kind: 'ready', inputs: meta(created.inputMetadata), outputs: meta(created.outputMetadata) });
  },
  (error) => parentPort.postMessage({ kind: 'failed', message: error && error.message ? error.message : String(error) }),
);
`;

type WorkerMessage =
  | { kind: 'ready'; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; result: Record<string, TensorData> }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'released' };

/** Session in a dedicated worker thread: runs never block the caller's event loop. */
class WorkerModelSession implements ModelSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, TensorData>) => void; reject: (e: Error) => void }>();
  private released = false;
  private exitError: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly inputs: readonly ValueInfo[],
    readonly outputs: readonly ValueInfo[],
  ) {
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.kind !== 'result' && msg.kind !== 'error') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.kind === 'result') p.resolve(msg.result);
      else p.reject(new InferenceRunError(msg.message));
    });
    const failAll = (error: Error): void => {
      this.exitError = error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => failAll(new InferenceRunError(`Inference worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.released) failAll(new InferenceRunError(`Inference worker exited with code ${code}`));
    });
    // An idle session must not keep the process alive.
    worker.unref();
  }

  static async create(config: SessionConfig): Promise<WorkerModelSession> {
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ortPath, modelPath: config.modelPath, options: sessionOptions(config) },
    });
    const ready = await new Promise<Extract<WorkerMessage, { kind: 'ready' }>>((resolve, reject) => {
      const onMessage = (msg: WorkerMessage): void => {
        if (msg.kind === 'ready') {
          cleanup();
          resolve(msg);
        } else if (msg.kind === 'failed') {
          cleanup();
          void worker.terminate();
          reject(new Error(msg.message));
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`Inference worker exited with code ${code} while loading ${config.modelPath}`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return new WorkerModelSession(worker, ready.inputs, ready.outputs);
  }

  run(feeds: Record<string, TensorData>, fetches?: readonly string[]): Promise<Record<string, TensorData>> {
    if (this.released) return Promise.reject(new InferenceClosedError('Model session'));
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    for (const t of Object.values(feeds)) {
      // Transfer only buffers the typed array owns entirely; a view into a larger buffer is copied.
      if (ArrayBuffer.isView(t.data) && t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength && t.data.buffer instanceof ArrayBuffer) {
        transfer.push(t.data.buffer);
      }
    }
    return new Promise((resolve, reject) => {
      // Keep the process alive while a run is outstanding; an idle worker must not.
      const settle = (): void => {
        if (this.pending.size === 0) this.worker.unref();
      };
      this.pending.set(id, {
        resolve: (r) => {
          resolve(r);
          settle();
        },
        reject: (e) => {
          reject(e);
          settle();
        },
      });
      this.worker.ref();
      this.worker.postMessage({ kind: 'run', id, feeds, fetches: fetches ? [...fetches] : undefined }, transfer);
    });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.exitError === undefined) {
      this.worker.ref();
      await new Promise<void>((resolve) => {
        // Ask the worker to release its session (native memory) first; terminate regardless after 5 s.
        const timer = setTimeout(() => void this.worker.terminate(), 5000);
        this.worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        this.worker.on('message', (msg: WorkerMessage) => {
          if (msg.kind === 'released') void this.worker.terminate();
        });
        this.worker.postMessage({ kind: 'release' });
      });
    }
    for (const p of this.pending.values()) p.reject(new InferenceClosedError('Model session'));
    this.pending.clear();
  }
}

export async function createModelSession(config: SessionConfig, isolation: SessionIsolation): Promise<ModelSession> {
  return isolation === 'worker' ? WorkerModelSession.create(config) : InlineModelSession.create(config);
}
