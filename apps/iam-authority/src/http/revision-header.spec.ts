import { AuthorityHttpAdapter, setRevisionHeader } from './revision-header';

/** The parts of an Express response `reply` touches, recording what it was given. */
function fakeResponse() {
  const headers = new Map<string, string>();
  const sent: { status?: number; json?: unknown } = {};
  const response = {
    headers,
    sent,
    setHeader: (name: string, value: string) => void headers.set(name.toLowerCase(), value),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    status(code: number) {
      sent.status = code;
      return response;
    },
    json(body: unknown) {
      sent.json = body;
      return response;
    },
    send() {
      return response;
    },
  };
  return response;
}

describe('x-iam-revision', () => {
  it('is set from a numeric revision of a handler answer, with the answer sent unchanged', () => {
    const response = fakeResponse();
    new AuthorityHttpAdapter().reply(response, { allowed: true, revision: 42, tags: [] }, 200);
    expect(response.headers.get('x-iam-revision')).toBe('42');
    expect(response.sent).toEqual({ status: 200, json: { allowed: true, revision: 42, tags: [] } });
  });

  it.each([[{ ok: true }], [{ revision: '42' }], [null], [undefined], [[1, 2]]])('is not set for %j', (body) => {
    const response = fakeResponse();
    new AuthorityHttpAdapter().reply(response, body, 200);
    expect(response.headers.has('x-iam-revision')).toBe(false);
  });

  it('is set on error bodies the same way (the exception filter calls the same function)', () => {
    const response = fakeResponse();
    setRevisionHeader(response, { code: 'REVISION_NOT_REACHED', message: 'm', revision: 0 });
    expect(response.headers.get('x-iam-revision')).toBe('0');
  });
});
