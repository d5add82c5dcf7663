import { Logger } from '@nestjs/common';
import { AccessService } from '../domain/access.service';
import { AuthorityError } from '../domain/errors';
import { AuthorityRpcHandlers } from './authority-rpc-handlers';

const TOKEN = 'service-token-for-the-handlers-spec';
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const good = { serviceToken: TOKEN, principal: 'user:ada@example.com', action: 'routers.read', resource: 'projects:1' };

function handlersWith(access: Partial<AccessService>): AuthorityRpcHandlers {
  return new AuthorityRpcHandlers(access as AccessService, TOKEN);
}

describe('AuthorityRpcHandlers', () => {
  it('answers the result, without the deciding policy, for a valid request', async () => {
    const check = jest.fn().mockResolvedValue({ allowed: true, revision: 7, tags: ['p:user:ada@example.com'], decidedBy: 'pol_1' });
    const reply = await handlersWith({ check }).check(bytes(good));
    expect(reply).toEqual({ ok: true, result: { allowed: true, revision: 7, tags: ['p:user:ada@example.com'] } });
    expect(check).toHaveBeenCalledWith(expect.objectContaining({ principal: good.principal, resource: good.resource }));
  });

  it('refuses a missing or wrong service token before looking at the request (nothing learnt about its grammar)', async () => {
    const check = jest.fn();
    const handlers = handlersWith({ check });
    expect(await handlers.check(bytes({ principal: 42 }))).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await handlers.check(bytes({ ...good, serviceToken: 'nope' }))).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(check).not.toHaveBeenCalled();
  });

  it.each([
    ['not JSON', '{', '$'],
    ['an array', '[]', '$'],
    ['a missing field', { serviceToken: TOKEN, principal: 'user:a@b.c', action: 'x.read' }, 'resource'],
    ['a wrong type', { ...good, atLeastRevision: 'soon' }, 'atLeastRevision'],
  ])('answers INVALID_REQUEST naming the field for %s, from the contract schema', async (_what, body, field) => {
    const check = jest.fn();
    expect(await handlersWith({ check }).check(bytes(body))).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field } });
    expect(check).not.toHaveBeenCalled();
  });

  it('answers RATE_LIMITED beyond IAM_RPC_RATE_LIMIT_PER_SECOND, before any work', async () => {
    const check = jest.fn().mockResolvedValue({ allowed: false, revision: 1, tags: [] });
    const limited = new AuthorityRpcHandlers({ check } as unknown as AccessService, TOKEN, 2);
    const replies = await Promise.all([1, 2, 3, 4].map(() => limited.check(bytes(good))));
    expect(replies.filter((reply) => reply.ok)).toHaveLength(2);
    expect(replies.filter((reply) => !reply.ok && reply.error.code === 'RATE_LIMITED')).toHaveLength(2);
    expect(check).toHaveBeenCalledTimes(2);
  });

  it("passes the domain's typed errors through and hides unexpected ones as INTERNAL", async () => {
    const typed = handlersWith({ resolveIdentity: jest.fn().mockRejectedValue(new AuthorityError('TOKEN_INVALID', 'token is not valid')) });
    expect(await typed.resolveIdentity(bytes({ serviceToken: TOKEN, token: 't' }))).toEqual({ ok: false, error: { code: 'TOKEN_INVALID', message: 'token is not valid' } });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const broken = handlersWith({ check: jest.fn().mockRejectedValue(new Error('connection reset by peer at 10.0.0.7')) });
      expect(await broken.check(bytes(good))).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
      // The caller learns nothing; the operator's log has the cause.
      expect(logged).toHaveBeenCalledWith('check failed: connection reset by peer at 10.0.0.7');
    } finally {
      logged.mockRestore();
    }
  });

  it('resolves a token to the identity the domain answers, passing only the token', async () => {
    const identity = { principal: 'user:ada@example.com', groups: ['group:ops'], tokenId: '0123456789abcdef', expiresAt: null, revision: 4, tags: ['tok:0123456789abcdef'] };
    const resolveIdentity = jest.fn().mockResolvedValue(identity);
    const reply = await handlersWith({ resolveIdentity }).resolveIdentity(bytes({ serviceToken: TOKEN, token: 'iam_x' }));
    expect(reply).toEqual({ ok: true, result: identity });
    expect(resolveIdentity).toHaveBeenCalledWith('iam_x');
  });

  it('refuses a resolve request without a token (INVALID_REQUEST naming it) or without the service token (UNAUTHENTICATED)', async () => {
    const resolveIdentity = jest.fn();
    const handlers = handlersWith({ resolveIdentity });
    expect(await handlers.resolveIdentity(bytes({ serviceToken: TOKEN }))).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'token' } });
    expect(await handlers.resolveIdentity(bytes({ token: 'iam_x' }))).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(resolveIdentity).not.toHaveBeenCalled();
  });

  it('passes the consistency token (atLeastRevision) to the domain, and its REVISION_NOT_REACHED back with the current revision', async () => {
    const check = jest.fn().mockRejectedValue(new AuthorityError('REVISION_NOT_REACHED', 'the authority is at revision 3', undefined, 3));
    const reply = await handlersWith({ check }).check(bytes({ ...good, atLeastRevision: 9 }));
    expect(check).toHaveBeenCalledWith(expect.objectContaining({ atLeastRevision: 9 }));
    expect(reply).toMatchObject({ ok: false, error: { code: 'REVISION_NOT_REACHED', revision: 3 } });
  });
});
