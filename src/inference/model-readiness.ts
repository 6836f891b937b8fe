import type { InferenceService } from './inference.service.js';
import { catalogEntry } from './model-catalog.js';

/** The entry that reports a failure to work out which models the role needs (e.g. no manifest to read). */
const LIST = '(model list)';

/** One model's state as the readiness check sees it. */
export interface ModelState {
  name: string;
  state: 'ready' | 'loading' | 'failed';
  /** Why it is not ready (failed), e.g. "manifest missing: run npm run models" or a checksum mismatch. */
  reason?: string;
}

export interface ModelsReadiness {
  ready: boolean;
  models: ModelState[];
}

/**
 * Readiness of the models a process role needs: each is loaded once (its files checked against the
 * manifest's sha256 by the registry) in the background, and the process reports ready only when every
 * one of them loaded. A failed load is retried (at most every `retryMs`), so a model built after start,
 * or a repaired file, makes the process ready without a restart.
 */
export class ModelReadiness {
  private readonly states = new Map<string, { state: ModelState['state']; reason?: string; at: number }>();
  private names: Promise<readonly string[]> | undefined;

  constructor(
    private readonly inference: InferenceService,
    private readonly required: () => Promise<readonly string[]>,
    private readonly retryMs = 5_000,
  ) {}

  /** Starts loading every required model (idempotent; also called by the first `check`). */
  start(): void {
    void this.refresh();
  }

  async check(): Promise<ModelsReadiness> {
    await this.refresh();
    const listFailure = this.states.get(LIST);
    if (listFailure) return { ready: false, models: [{ name: LIST, state: 'failed', ...(listFailure.reason ? { reason: listFailure.reason } : {}) }] };
    const names = await this.requiredNames();
    const models = names.map((name): ModelState => {
      const s = this.states.get(name);
      return s ? { name, state: s.state, ...(s.reason ? { reason: s.reason } : {}) } : { name, state: 'loading' };
    });
    return { ready: models.length > 0 && models.every((m) => m.state === 'ready'), models };
  }

  private requiredNames(): Promise<readonly string[]> {
    // A failed lookup (manifest missing) is asked again next time.
    this.names ??= this.required().catch((err: unknown) => {
      this.names = undefined;
      throw err;
    });
    return this.names;
  }

  private async refresh(): Promise<void> {
    let names: readonly string[];
    try {
      names = await this.requiredNames();
    } catch (err) {
      this.states.set(LIST, { state: 'failed', reason: reasonOf(err), at: Date.now() });
      return;
    }
    this.states.delete(LIST);
    const now = Date.now();
    for (const name of names) {
      const s = this.states.get(name);
      if (s && (s.state !== 'failed' || now - s.at < this.retryMs)) continue;
      if (!catalogEntry(name)) {
        this.states.set(name, { state: 'failed', reason: `no recipe builds "${name}" (not in training/models.json)`, at: now });
        continue;
      }
      this.states.set(name, { state: 'loading', at: now });
      void this.inference.registry.load(name).then(
        () => this.states.set(name, { state: 'ready', at: Date.now() }),
        (err: unknown) => this.states.set(name, { state: 'failed', reason: reasonOf(err), at: Date.now() }),
      );
    }
  }
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}
