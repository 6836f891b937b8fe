import { FieldCipher, isEncrypted } from './field-cipher.js';

/** Masks personal data in free text (e-mail addresses, phone numbers, ID and card numbers). */
export type TextMasker = (text: string) => string;

/** What a sensitive value becomes at rest when no encryption key is configured. */
export const REDACTED = '[REDACTED]';

export interface DataProtectorOptions {
  mask: TextMasker;
  cipher: FieldCipher;
  /** Dotted paths of customer-context fields kept encrypted (a path may name a whole sub-object). */
  sensitiveContextFields?: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The one place that decides what personal data looks like at rest, used on every path to storage
 * (Neo4j, Redis streams, turn state, queued jobs):
 *  - free text is masked (`[EMAIL]`, `[PHONE]`, …), as ingestion and messages already are;
 *  - values the platform must read back (sensitive customer-context fields, a process's answers that
 *    contain personal data) are encrypted with AES-256-GCM — or, without a key, replaced by
 *    `[REDACTED]` / masked, never kept in the clear.
 */
export class DataProtector {
  readonly mask: TextMasker;
  private readonly cipher: FieldCipher;
  private readonly sensitive: string[][];

  constructor(o: DataProtectorOptions) {
    this.mask = o.mask;
    this.cipher = o.cipher;
    this.sensitive = (o.sensitiveContextFields ?? []).map((p) => p.split('.').filter(Boolean)).filter((p) => p.length > 0);
  }

  get encrypts(): boolean {
    return this.cipher.enabled;
  }

  /** Every string inside a JSON value masked (keys kept). */
  maskDeep<T>(value: T): T {
    return walk(value as Json, (s) => this.mask(s)) as T;
  }

  /**
   * A customer context as it may be stored: sensitive fields encrypted (whole sub-objects as JSON),
   * every other string masked. `aad` binds the ciphertexts to their owner (e.g. the conversation id).
   */
  protectContext(context: Record<string, unknown>, aad: string): Record<string, unknown> {
    const go = (value: Json, path: string[]): Json => {
      if (this.isSensitive(path)) {
        if (isEncrypted(value)) return value;
        return this.cipher.enabled ? this.cipher.encrypt(JSON.stringify(value), aad) : REDACTED;
      }
      if (typeof value === 'string') return this.mask(value);
      if (Array.isArray(value)) return value.map((v) => go(v, path));
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, go(v, [...path, k])]));
      return value;
    };
    return go(context as Json, []) as Record<string, unknown>;
  }

  /** The stored context with its encrypted fields decrypted (for the bot's rules, agents and the visitor). */
  revealContext(stored: Record<string, unknown>, aad: string): Record<string, unknown> {
    return walkEncrypted(stored as Json, (enc) => JSON.parse(this.cipher.decrypt(enc, aad)) as Json) as Record<string, unknown>;
  }

  /** One collected value (a process slot) as stored: encrypted when it contains personal data. */
  protectValue<T extends string | number>(value: T, aad: string): T | string {
    if (typeof value !== 'string' || isEncrypted(value)) return value;
    const masked = this.mask(value);
    if (masked === value) return value;
    return this.cipher.enabled ? this.cipher.encrypt(value, aad) : masked;
  }

  revealValue<T>(value: T, aad: string): T | string {
    return isEncrypted(value) ? this.cipher.decrypt(value, aad) : value;
  }

  /** Any JSON with its personal data encrypted as one value (queued payloads), or masked without a key. */
  sealJson(value: unknown, aad: string): string {
    return this.cipher.enabled ? this.cipher.encrypt(JSON.stringify(value), aad) : JSON.stringify(this.maskDeep(value));
  }

  openJson<T>(sealed: string, aad: string): T {
    return JSON.parse(isEncrypted(sealed) ? this.cipher.decrypt(sealed, aad) : sealed) as T;
  }

  private isSensitive(path: string[]): boolean {
    return path.length > 0 && this.sensitive.some((p) => p.length === path.length && p.every((seg, i) => seg === path[i]));
  }
}

function walk(value: Json, fn: (s: string) => string): Json {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, fn)]));
  return value;
}

function walkEncrypted(value: Json, fn: (enc: string) => Json): Json {
  if (isEncrypted(value)) return fn(value);
  if (Array.isArray(value)) return value.map((v) => walkEncrypted(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walkEncrypted(v, fn)]));
  return value;
}
