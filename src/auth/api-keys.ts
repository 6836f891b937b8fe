import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { CypherExecutor } from '../graph/executor.js';
import { anonymous, type Role, type Viewer } from './roles.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  grants: string[];
  createdAt?: string;
  revokedAt?: string | null;
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * API keys: random 32-byte secrets, stored as SHA-256 hashes (a key has full entropy, so a slow
 * password hash buys nothing). Lookups are cached briefly per process; revocation clears the local
 * cache at once and reaches other replicas within `cacheTtlMs`.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, { viewer: Viewer; expires: number }>();

  constructor(
    private readonly executor: CypherExecutor,
    /** audit: key creations and revocations are audited in the same transaction (issue #12). */
    private readonly options: { adminApiKey?: string; cacheTtlMs?: number; audit?: AuditService } = {},
  ) {}

  async create(input: { name: string; role: Role; grants?: Array<'RESTRICTED'>; createdBy: string | null }, actor?: Viewer): Promise<ApiKeyRecord & { key: string }> {
    const key = `ag_${randomBytes(32).toString('base64url')}`;
    const row = await this.executor.writeTx('auth/create-api-key', async (tx) => {
      const [created] = await tx.run('auth/create-api-key', {
        id: randomUUID(),
        name: input.name,
        role: input.role,
        hash: hashKey(key),
        prefix: key.slice(0, 8),
        grants: input.grants ?? [],
        createdBy: input.createdBy,
      });
      const record = created!; // CREATE returns its one row
      // The secret never reaches the audit trail: who, which key, which role and grants.
      await this.options.audit?.append(tx, actor ?? { keyId: input.createdBy, name: input.createdBy ?? 'system', role: null }, {
        action: 'apikey.create',
        targetType: 'ApiKey',
        targetId: record.id,
        before: null,
        after: { name: record.name, role: record.role, grants: record.grants, prefix: record.prefix },
      });
      return record;
    });
    return { ...row, key };
  }

  async revoke(id: string, by: string | null, actor?: Viewer): Promise<boolean> {
    const rows = await this.executor.writeTx('auth/revoke-api-key', async (tx) => {
      const revoked = await tx.run('auth/revoke-api-key', { id, by });
      if (revoked.length > 0) {
        await this.options.audit?.append(tx, actor ?? { keyId: by, name: by ?? 'system', role: null }, {
          action: 'apikey.revoke',
          targetType: 'ApiKey',
          targetId: id,
          before: { revoked: false },
          after: { revoked: true, revokedAt: revoked[0]!.revokedAt },
        });
      }
      return revoked;
    });
    this.cache.clear();
    return rows.length > 0;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.executor.read('auth/list-api-keys');
  }

  /** Resolves an `Authorization` header (or graphql-ws `authorization` param) to a viewer. `null`: the key is not valid. */
  async authenticate(authorization: string | undefined | null): Promise<Viewer | null> {
    if (!authorization) return anonymous;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return null;
    const key = match[1]!;
    const admin = this.options.adminApiKey;
    if (admin && key.length === admin.length && timingSafeEqual(Buffer.from(key), Buffer.from(admin))) {
      return { role: 'ADMIN', keyId: 'bootstrap-admin', name: 'ADMIN_API_KEY', grants: new Set(['RESTRICTED']) };
    }
    const hash = hashKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.expires > Date.now()) return cached.viewer;
    const [row] = await this.executor.read('auth/find-api-key', { hash });
    if (!row) return null;
    const viewer: Viewer = {
      role: row.role,
      keyId: row.id,
      name: row.name,
      grants: new Set(row.grants.filter((g): g is 'RESTRICTED' => g === 'RESTRICTED')),
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { viewer, expires: Date.now() + (this.options.cacheTtlMs ?? 10_000) });
    return viewer;
  }
}
