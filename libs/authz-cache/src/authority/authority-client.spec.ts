import { AuthorityRejectedError, AuthorityUnavailableError, RevisionNotReachedError } from '../errors';
import { asCheckResult, asResolvedIdentity, authorityError } from './authority-client';

describe('authority answers', () => {
  it('maps error bodies to typed errors', () => {
    const notReached = authorityError({ code: 'REVISION_NOT_REACHED', message: 'x', revision: 4 }, 9);
    expect(notReached).toBeInstanceOf(RevisionNotReachedError);
    expect(notReached).toMatchObject({ wanted: 9, current: 4, code: 'REVISION_NOT_REACHED' });
    expect(authorityError({ code: 'INTERNAL', message: 'boom' }, undefined)).toBeInstanceOf(AuthorityUnavailableError);
    expect(authorityError(undefined, undefined)).toBeInstanceOf(AuthorityUnavailableError);
    const refused = authorityError({ code: 'UNAUTHENTICATED', message: 'a valid serviceToken is required' }, undefined);
    expect(refused).toBeInstanceOf(AuthorityRejectedError);
    expect(refused).toMatchObject({ authorityCode: 'UNAUTHENTICATED', code: 'AUTHORITY_REJECTED' });
  });

  it('accepts well-formed answers and refuses broken ones (never cached)', () => {
    expect(asCheckResult({ allowed: true, revision: 3, tags: ['p:x'], extra: 1 })).toEqual({ allowed: true, revision: 3, tags: ['p:x'] });
    expect(() => asCheckResult({ allowed: 'yes', revision: 3, tags: [] })).toThrow(AuthorityUnavailableError);
    expect(() => asCheckResult({ allowed: true, revision: 1.5, tags: [] })).toThrow(AuthorityUnavailableError);
    const identity = { principal: 'user:a@x', groups: [], tokenId: 'abc', expiresAt: null, revision: 1, tags: ['tok:abc'] };
    expect(asResolvedIdentity(identity)).toEqual(identity);
    expect(() => asResolvedIdentity({ ...identity, expiresAt: 5 })).toThrow(AuthorityUnavailableError);
  });
});
