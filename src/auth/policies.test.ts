import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { assertMayPublishWithoutReview, assertMayWriteVisibility, mayPublishWithoutReview, mayWriteVisibility, writeVisibilityRefusal, assertMayPublishDirectly, mayPublishDirectly } from './policies.js';
import { anonymous, knowledgeAccess, roles, type Role, type Viewer } from './roles.js';

const viewer = (role: Role | null, restricted = false): Viewer => ({ role, keyId: role ? `${role}-key` : null, name: String(role), grants: new Set(restricted ? (['RESTRICTED'] as const) : []) });

function refusal(act: () => void): AppError {
  try {
    act();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('assertMayWriteVisibility', () => {
  it('RESTRICTED needs the grant (or ADMIN); PUBLIC and INTERNAL are writable by every writing role', () => {
    for (const role of ['EDITOR', 'SERVICE'] as const) {
      expect(mayWriteVisibility(viewer(role), 'PUBLIC')).toBe(true);
      expect(mayWriteVisibility(viewer(role), 'INTERNAL')).toBe(true);
      expect(mayWriteVisibility(viewer(role), 'RESTRICTED')).toBe(false);
      expect(mayWriteVisibility(viewer(role, true), 'RESTRICTED')).toBe(true);
    }
    expect(mayWriteVisibility(viewer('ADMIN'), 'RESTRICTED')).toBe(true);
  });

  it('refuses with FORBIDDEN and the message the API has always used', () => {
    const err = refusal(() => assertMayWriteVisibility(viewer('EDITOR'), 'RESTRICTED'));
    expect(err).toMatchObject({ code: 'FORBIDDEN', category: 'auth', message: 'Your key may not write RESTRICTED knowledge.', details: { reason: 'VISIBILITY', visibility: 'RESTRICTED' } });
    expect(() => assertMayWriteVisibility(viewer('EDITOR', true), 'RESTRICTED')).not.toThrow();
  });

  it('has nothing to check when no visibility is given (a patch that keeps it)', () => {
    expect(() => assertMayWriteVisibility(viewer('EDITOR'), undefined)).not.toThrow();
    expect(() => assertMayWriteVisibility(viewer('EDITOR'), null)).not.toThrow();
  });

  it('takes the access the importer is given as well as a viewer, with the same answer', () => {
    for (const role of roles) {
      for (const restricted of [false, true]) {
        const v = viewer(role, restricted);
        for (const visibility of ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const) {
          expect(mayWriteVisibility(knowledgeAccess(v), visibility), `${role} ${restricted} ${visibility}`).toBe(mayWriteVisibility(v, visibility));
        }
      }
    }
    expect(writeVisibilityRefusal('RESTRICTED')).toBe('Your key may not write RESTRICTED knowledge.');
  });

  it('an anonymous caller may write nothing', () => {
    expect(mayWriteVisibility(anonymous, 'PUBLIC')).toBe(false);
  });
});

describe('assertMayPublishWithoutReview', () => {
  it('EDITOR and ADMIN may; SERVICE, AGENT, CUSTOMER and anonymous callers may not', () => {
    expect(mayPublishWithoutReview(viewer('EDITOR'))).toBe(true);
    expect(mayPublishWithoutReview(viewer('ADMIN'))).toBe(true);
    for (const role of ['SERVICE', 'AGENT', 'CUSTOMER', null] as const) expect(mayPublishWithoutReview(viewer(role, true)), String(role)).toBe(false);
  });

  it('refuses a SERVICE key with FORBIDDEN, saying what to do instead', () => {
    const err = refusal(() => assertMayPublishWithoutReview(viewer('SERVICE'), 'leave trusted unset or configure the source in INGEST_TRUSTED_SOURCES'));
    expect(err).toMatchObject({
      code: 'FORBIDDEN',
      message: 'A SERVICE key may not publish without review; leave trusted unset or configure the source in INGEST_TRUSTED_SOURCES.',
      details: { reason: 'REVIEW_REQUIRED' },
    });
    expect(() => assertMayPublishWithoutReview(viewer('EDITOR'))).not.toThrow();
  });
});

describe('assertMayPublishDirectly (four eyes on RESTRICTED knowledge)', () => {
  it('only ADMIN publishes RESTRICTED knowledge without review; other visibilities are not its concern', () => {
    expect(mayPublishDirectly(viewer('ADMIN'), 'RESTRICTED')).toBe(true);
    expect(mayPublishDirectly(viewer('EDITOR', true), 'RESTRICTED')).toBe(false);
    for (const v of ['PUBLIC', 'INTERNAL', null, undefined] as const) expect(mayPublishDirectly(viewer('EDITOR'), v)).toBe(true);
    expect(refusal(() => assertMayPublishDirectly(viewer('EDITOR', true), 'RESTRICTED'))).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'FOUR_EYES' } });
  });
});
