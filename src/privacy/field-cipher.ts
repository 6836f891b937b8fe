import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';

/** Prefix of an encrypted value: `enc:v1:<keyId>:<iv>:<ciphertext>:<tag>` (base64url parts). */
export const ENCRYPTED_PREFIX = 'enc:v1:';

export interface FieldKey {
  /** Stored with every value, so old values stay readable after the current key changes (rotation). */
  id: string;
  /** Base64 (or base64url) of 32 random bytes. */
  key: string;
}

export const isEncrypted = (value: unknown): value is string => typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX);

/**
 * AES-256-GCM for single values kept at rest (customer-context fields, process answers, queued webhook
 * payloads). A random 96-bit IV per value; the key id travels with the value; `aad` binds a value to
 * where it belongs (e.g. a conversation id), so a ciphertext copied elsewhere does not decrypt.
 */
export class FieldCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    keys: readonly FieldKey[],
    private readonly currentId: string | undefined = keys[0]?.id,
  ) {
    for (const k of keys) {
      const raw = Buffer.from(k.key.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (raw.length !== 32) throw new AppError('BAD_USER_INPUT', `Encryption key ${k.id} must be 32 bytes (base64 of 32 random bytes); it has ${raw.length}.`);
      this.keys.set(k.id, raw);
    }
    if (currentId !== undefined && !this.keys.has(currentId)) throw new AppError('BAD_USER_INPUT', `Encryption key ${currentId} is not among the configured keys.`);
  }

  /** Whether values can be encrypted (a key is configured). */
  get enabled(): boolean {
    return this.currentId !== undefined;
  }

  encrypt(plaintext: string, aad = ''): string {
    if (this.currentId === undefined) throw new AppError('INTERNAL', 'No encryption key is configured (PII_ENCRYPTION_KEYS).');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${ENCRYPTED_PREFIX}${this.currentId}:${iv.toString('base64url')}:${ct.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The plaintext; throws INTERNAL when the key is gone or the value was altered. */
  decrypt(value: string, aad = ''): string {
    const parts = value.slice(ENCRYPTED_PREFIX.length).split(':');
    if (!value.startsWith(ENCRYPTED_PREFIX) || parts.length !== 4) throw new AppError('INTERNAL', 'Not an encrypted value.');
    const [keyId, iv, ct, tag] = parts as [string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new AppError('INTERNAL', `A value is encrypted with key ${keyId}, which is no longer configured (keep old keys in PII_ENCRYPTION_KEYS).`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new AppError('INTERNAL', 'An encrypted value failed its integrity check.', undefined, { cause: err });
    }
  }

  /** The id of the key a value was encrypted with. */
  static keyIdOf(value: string): string | null {
    return isEncrypted(value) ? (value.slice(ENCRYPTED_PREFIX.length).split(':')[0] ?? null) : null;
  }
}
