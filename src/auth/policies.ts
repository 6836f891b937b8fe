import { AppError } from '../errors.js';
import { hasRole, knowledgeAccess, type Role, type Viewer, type Visibility } from './roles.js';

/**
 * Write policies on knowledge, in one place: resolvers and services call these instead of repeating the
 * checks. (What a viewer may read is `knowledgeAccess` in roles.ts, enforced in the repositories.)
 */

/** What a key may write: a viewer, or the read access it was given (the importer receives only that). */
type Writer = Viewer | { visibilities: readonly Visibility[] };

const visibilitiesOf = (who: Writer): readonly Visibility[] => ('visibilities' in who ? who.visibilities : knowledgeAccess(who).visibilities);

/** A key writes knowledge of a visibility only if it may read it: RESTRICTED needs the grant (or ADMIN). */
export function mayWriteVisibility(who: Writer, visibility: Visibility | null | undefined): boolean {
  return visibility === null || visibility === undefined || visibilitiesOf(who).includes(visibility);
}

/** The refusal, worded for the caller (the importer puts it on a line of its report). */
export const writeVisibilityRefusal = (visibility: Visibility) => `Your key may not write ${visibility} knowledge.`;

/** FORBIDDEN unless the key may write knowledge of `visibility` (null/undefined: nothing to check, e.g. a patch that keeps it). */
export function assertMayWriteVisibility(who: Writer, visibility: Visibility | null | undefined): void {
  if (!mayWriteVisibility(who, visibility)) {
    throw new AppError('FORBIDDEN', writeVisibilityRefusal(visibility as Visibility), { reason: 'VISIBILITY', visibility });
  }
}

/**
 * Roles that may make knowledge live without a review task (createKnowledge/importKnowledge with
 * `publish`, ingestDocument with `trusted`). SERVICE keys are integrations: what they bring is reviewed,
 * unless an operator trusts the source itself (INGEST_TRUSTED_SOURCES).
 */
export const publishersWithoutReview: readonly Role[] = ['EDITOR', 'ADMIN'];

export function mayPublishWithoutReview(viewer: Viewer): boolean {
  return hasRole(viewer, publishersWithoutReview);
}

/** FORBIDDEN unless the key may publish without review; `hint` tells the caller what to do instead. */
export function assertMayPublishWithoutReview(viewer: Viewer, hint = 'leave publishing unset so that the knowledge goes through review'): void {
  if (!mayPublishWithoutReview(viewer)) {
    throw new AppError('FORBIDDEN', `A ${viewer.role ?? 'anonymous'} key may not publish without review; ${hint}.`, { reason: 'REVIEW_REQUIRED' });
  }
}

/**
 * RESTRICTED knowledge goes live with two different editors' approvals (review, four eyes). Publishing it
 * directly (createKnowledge/importKnowledge with `publish`, a trusted ingestion) would skip the second pair
 * of eyes, so only ADMIN may (a bootstrap, such as loading a seed; audited like every direct publish).
 */
export function mayPublishDirectly(viewer: Viewer, visibility: Visibility | null | undefined): boolean {
  return visibility !== 'RESTRICTED' || hasRole(viewer, ['ADMIN']);
}

export const fourEyesRefusal = 'RESTRICTED knowledge goes live with the approvals of two different editors: create it without publish and have it reviewed.';

/** FORBIDDEN when publishing `visibility` directly would skip the four eyes RESTRICTED knowledge needs. */
export function assertMayPublishDirectly(viewer: Viewer, visibility: Visibility | null | undefined): void {
  if (!mayPublishDirectly(viewer, visibility)) throw new AppError('FORBIDDEN', fourEyesRefusal, { reason: 'FOUR_EYES' });
}

export const liveRestrictedRefusal =
  'A live RESTRICTED item changes with the approvals of two different editors: propose the change with proposeKnowledgeRevision.';

/**
 * Changing a live item's content is publishing it: allowed without review where publishing directly is
 * (an EDITOR for PUBLIC and INTERNAL knowledge), else FORBIDDEN (FOUR_EYES) — an EDITOR changes live
 * RESTRICTED knowledge, or makes live knowledge RESTRICTED or no longer RESTRICTED, through a reviewed revision.
 */
export function mayChangeLive(viewer: Viewer, before: Visibility, after: Visibility): boolean {
  return mayPublishDirectly(viewer, before) && mayPublishDirectly(viewer, after);
}

export function assertMayChangeLive(viewer: Viewer, before: Visibility, after: Visibility): void {
  assertMayPublishWithoutReview(viewer, 'propose the change with proposeKnowledgeRevision');
  if (!mayChangeLive(viewer, before, after)) throw new AppError('FORBIDDEN', liveRestrictedRefusal, { reason: 'FOUR_EYES' });
}
