import Ajv, { ValidateFunction } from 'ajv';
import { CONTRACT_SCHEMAS } from '@iam/contracts';
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { enc, useAuthoritySuite } from '../authority/authority-harness';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../support/credentials';

/*
 * Conformance of the authority's NATS RPC for a client that is not ours (a
 * Go or Python service): a real authority (PGlite) and nats-server with
 * docker/nats/auth.conf are started by the harness, but the client side uses
 * nothing of the project: a bare `nats` connection, literal subjects and
 * JSON, and the published JSON Schemas compiled by a fresh Ajv instance.
 */

jest.setTimeout(60_000);

const CHECK = 'iam.v1.rpc.check';
const RESOLVE = 'iam.v1.rpc.identity.resolve';
const alice = 'user:alice@example.com';

/** A fresh Ajv, as an outside client would set one up (draft-07 defaults, RFC 3339 `date-time`). */
function compile(name: keyof typeof CONTRACT_SCHEMAS): ValidateFunction {
  const ajv = new Ajv({ allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)) });
  return ajv.compile(CONTRACT_SCHEMAS[name]);
}

const checkRequest = compile('CheckRpcRequest');
const checkReply = compile('CheckReply');
const resolveRequest = compile('ResolveIdentityRpcRequest');
const resolveReply = compile('ResolveIdentityReply');

function expectValid(validate: ValidateFunction, value: unknown): void {
  const ok = validate(value);
  if (!ok) throw new Error(`${JSON.stringify(value)} does not conform: ${JSON.stringify(validate.errors)}`);
}

describe('plain JSON RPC conformance (bare nats client, published schemas)', () => {
  const suite = useAuthoritySuite('pglite', { nats: { auth: true } });
  let client: NatsConnection;
  let operator: NatsConnection;
  let token: string;

  /** One request, raw bytes in and out, as any NATS client library would do it. */
  async function call(subject: string, body: string | object): Promise<{ msg: Msg; json: Record<string, unknown> }> {
    const data = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
    const msg = await client.request(subject, data, { timeout: 5000 });
    return { msg, json: JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown> };
  }

  beforeAll(async () => {
    // A consumer service's NATS user (turing) and the operator's: only their own inboxes.
    client = await connect(suite.nats.connectOptions('turing'));
    operator = await connect(suite.nats.connectOptions('operator'));
    await suite.api.ok('POST', '/v1/principals', { id: alice });
    await suite.api.ok('POST', '/v1/policies', { subjects: [alice], actions: ['routers.read'], resources: ['projects:1:**'], effect: 'allow' }, TEST_ADMIN_TOKEN);
    ({ token } = await suite.api.ok('POST', `/v1/principals/${enc(alice)}/tokens`, {}));
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await operator?.close().catch(() => undefined);
  });

  it('answers check with a reply that validates against CheckReply', async () => {
    const request = { serviceToken: TEST_SERVICE_TOKEN, principal: alice, action: 'routers.read', resource: 'projects:1:routers:7' };
    expectValid(checkRequest, request);
    const allowed = await call(CHECK, request);
    expectValid(checkReply, allowed.json);
    expect(allowed.json).toMatchObject({ ok: true, result: { allowed: true } });
    expect(allowed.msg.headers?.get('Nats-Service-Error-Code') ?? '').toBe('');

    const denied = await call(CHECK, { ...request, resource: 'projects:2:routers:7' });
    expectValid(checkReply, denied.json);
    expect(denied.json).toMatchObject({ ok: true, result: { allowed: false } });
  });

  it('answers resolve with a reply that validates against ResolveIdentityReply', async () => {
    const request = { serviceToken: TEST_SERVICE_TOKEN, token };
    expectValid(resolveRequest, request);
    const resolved = await call(RESOLVE, request);
    expectValid(resolveReply, resolved.json);
    expect(resolved.json).toMatchObject({ ok: true, result: { principal: alice, groups: [] } });

    const unknown = await call(RESOLVE, { serviceToken: TEST_SERVICE_TOKEN, token: `iam_0123456789abcdef_${'A'.repeat(43)}` });
    expectValid(resolveReply, unknown.json);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'TOKEN_INVALID' } });
  });

  it.each([
    ['not JSON', CHECK, '{"principal":', 'INVALID_REQUEST', '400'],
    ['a JSON array', CHECK, '[]', 'INVALID_REQUEST', '400'],
    ['no service token', CHECK, { principal: alice, action: 'routers.read', resource: 'projects:1' }, 'UNAUTHENTICATED', '401'],
    ['a wrong service token', RESOLVE, { serviceToken: 'not-the-service-token', token: 'x' }, 'UNAUTHENTICATED', '401'],
    ['the admin token as service token', CHECK, { serviceToken: TEST_ADMIN_TOKEN, principal: alice, action: 'routers.read', resource: 'projects:1' }, 'UNAUTHENTICATED', '401'],
    ['a missing field', CHECK, { serviceToken: TEST_SERVICE_TOKEN, principal: alice, action: 'routers.read' }, 'INVALID_REQUEST', '400'],
    ['a field of the wrong type', CHECK, { serviceToken: TEST_SERVICE_TOKEN, principal: alice, action: 'routers.read', resource: 7 }, 'INVALID_REQUEST', '400'],
    ['a negative revision', CHECK, { serviceToken: TEST_SERVICE_TOKEN, principal: alice, action: 'routers.read', resource: 'projects:1', atLeastRevision: -1 }, 'INVALID_REQUEST', '400'],
    ['a wildcard resource', CHECK, { serviceToken: TEST_SERVICE_TOKEN, principal: alice, action: 'routers.read', resource: 'projects:1:*' }, 'INVALID_REQUEST', '400'],
    ['an empty token', RESOLVE, { serviceToken: TEST_SERVICE_TOKEN, token: '' }, 'INVALID_REQUEST', '400'],
  ])('answers %s with an error reply (JSON body and service error headers)', async (_what, subject, body, code, status) => {
    const { msg, json } = await call(subject, body);
    expectValid(subject === CHECK ? checkReply : resolveReply, json);
    expect(json).toMatchObject({ ok: false, error: { code } });
    expect(msg.headers?.get('Nats-Service-Error-Code')).toBe(status);
    expect(msg.headers?.get('Nats-Service-Error')).toMatch(new RegExp(`^${code}: `));
    // Errors never echo a credential back.
    expect(new TextDecoder().decode(msg.data)).not.toContain(TEST_ADMIN_TOKEN);
  });

  it('is discoverable with $SRV.PING and $SRV.INFO, endpoints and queue group included, and counts in $SRV.STATS', async () => {
    const decode = (msg: Msg) => JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const ping = decode(await operator.request('$SRV.PING.iam-authority', new Uint8Array(), { timeout: 5000 }));
    expect(ping).toMatchObject({ type: 'io.nats.micro.v1.ping_response', name: 'iam-authority', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(ping.id).toEqual(expect.any(String));

    const info = decode(await operator.request(`$SRV.INFO.iam-authority.${ping.id}`, new Uint8Array(), { timeout: 5000 }));
    expect(info).toMatchObject({ type: 'io.nats.micro.v1.info_response', name: 'iam-authority', id: ping.id, description: expect.any(String) });
    expect(info.endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'check', subject: CHECK, queue_group: 'iam-authority', metadata: expect.objectContaining({ request_schema: 'CheckRpcRequest', reply_schema: 'CheckReply' }) }),
        expect.objectContaining({ name: 'identity-resolve', subject: RESOLVE, queue_group: 'iam-authority' }),
      ]),
    );
    // Every schema an endpoint names is published.
    for (const endpoint of info.endpoints as Array<{ metadata: Record<string, string> }>) {
      expect(Object.keys(CONTRACT_SCHEMAS)).toEqual(expect.arrayContaining([endpoint.metadata.request_schema, endpoint.metadata.reply_schema]));
    }

    // The unfiltered PING is answered too (all services on the account).
    const everyone = decode(await operator.request('$SRV.PING', new Uint8Array(), { timeout: 5000 }));
    expect(everyone.name).toBe('iam-authority');

    await call(CHECK, { serviceToken: 'wrong', principal: alice, action: 'routers.read', resource: 'projects:1' });
    const stats = decode(await operator.request(`$SRV.STATS.iam-authority.${ping.id}`, new Uint8Array(), { timeout: 5000 }));
    expect(stats.type).toBe('io.nats.micro.v1.stats_response');
    const check = (stats.endpoints as Array<Record<string, any>>).find((endpoint) => endpoint.name === 'check')!; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(check.num_requests).toBeGreaterThanOrEqual(3);
    expect(check.data.num_requests).toBe(check.num_requests);
    expect(check.data.num_errors).toBeGreaterThanOrEqual(1);
    expect(check.data.processing_time).toBeGreaterThan(0);
  });
});
