import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ErasureService } from './erasure.js';

export interface RetentionOptions {
  /** Conversations idle this many days are erased; 0 turns retention off. */
  days: number;
  /** How often to look. */
  intervalS: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Erases conversations past retention on a schedule, in the worker role. Every worker runs the timer;
 * a Redis lock (SET NX with the interval as expiry) lets one of them sweep per interval.
 */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly erasure: ErasureService,
    private readonly redis: Redis | Cluster,
    private readonly logger: Logger,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    if (this.options.days <= 0 || this.timer) return;
    const tick = () => {
      this.running = this.runOnce().catch((err: unknown) => this.logger.warn({ err }, 'retention sweep failed; it runs again at the next interval'));
    };
    this.timer = setInterval(tick, this.options.intervalS * 1000);
    this.timer.unref();
    tick();
  }

  /** One sweep if no other worker took this interval; returns conversations erased (null: another worker has it). */
  async runOnce(now = new Date()): Promise<number | null> {
    const got = await this.redis.set('answergraph:privacy:retention-lock', String(process.pid), 'PX', Math.max(1000, this.options.intervalS * 1000 - 1000), 'NX');
    if (got !== 'OK') return null;
    const erased = await this.erasure.sweep(new Date(now.getTime() - this.options.days * DAY_MS));
    if (erased > 0) this.logger.info({ erased, days: this.options.days }, 'retention: conversations erased');
    return erased;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
