import type { Visitor } from '../privacy/visitor.js';

export const roles = ['CUSTOMER', 'AGENT', 'EDITOR', 'ADMIN', 'SERVICE'] as const;
export type Role = (typeof roles)[number];

export const visibilities = ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const;
export type Visibility = (typeof visibilities)[number];

export const knowledgeStatuses = ['DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED', 'REJECTED'] as const;
export type KnowledgeStatus = (typeof knowledgeStatuses)[number];

/** Who is calling. Anonymous callers have no role and may only ask for `health`. */
export interface Viewer {
  role: Role | null;
  keyId: string | null;
  name: string;
  /** Extra visibility granted to this key (RESTRICTED knowledge is never implied by a role but ADMIN). */
  grants: ReadonlySet<'RESTRICTED'>;
  /** The visitor this request proves (visitor token or signed customer id), if any: CUSTOMER keys need one for their conversations. */
  visitor?: Visitor | null;
}

export const anonymous: Viewer = { role: null, keyId: null, name: 'anonymous', grants: new Set() };

/**
 * What knowledge a viewer may read. This is the single source of truth, enforced in the
 * repository layer (every knowledge query takes these lists as parameters), not only in resolvers.
 *  - CUSTOMER: published, public
 *  - AGENT: published, public + internal
 *  - SERVICE: published, public + internal (integrations; drafts only through ingestion)
 *  - EDITOR: every status, public + internal
 *  - ADMIN: everything
 *  RESTRICTED is added for keys granted it.
 */
export function knowledgeAccess(viewer: Viewer): { visibilities: Visibility[]; statuses: KnowledgeStatus[] } {
  const published: KnowledgeStatus[] = ['PUBLISHED'];
  const all = [...knowledgeStatuses];
  const restricted = viewer.grants.has('RESTRICTED') ? (['RESTRICTED'] as Visibility[]) : [];
  switch (viewer.role) {
    case 'CUSTOMER':
      return { visibilities: ['PUBLIC'], statuses: published };
    case 'AGENT':
    case 'SERVICE':
      return { visibilities: ['PUBLIC', 'INTERNAL', ...restricted], statuses: published };
    case 'EDITOR':
      return { visibilities: ['PUBLIC', 'INTERNAL', ...restricted], statuses: all };
    case 'ADMIN':
      return { visibilities: [...visibilities], statuses: all };
    default:
      return { visibilities: [], statuses: [] };
  }
}

export function hasRole(viewer: Viewer, allowed: readonly Role[]): boolean {
  return viewer.role !== null && allowed.includes(viewer.role);
}
