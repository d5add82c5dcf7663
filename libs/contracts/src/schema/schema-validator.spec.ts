import fc from 'fast-check';
import { CONTRACT_SCHEMAS } from './contract-schemas';
import { cacheFlushPayloadSchema } from './payload-schemas';
import { checkRpcRequestSchema, checkReplySchema } from './rpc-schemas';
import { replayControlRequestSchema, statsControlReplySchema } from './control-schemas';
import { eventEnvelopeSchema } from './envelope-schema';
import { ContractSchemaError, schemaCheck } from './schema-validator';

describe('contract schemas', () => {
  it.each(Object.entries(CONTRACT_SCHEMAS))('%s compiles in strict mode and is named by its title', (name, schema) => {
    expect(schema.title).toBe(name);
    // A strict-mode compile error (unknown keyword, keyword on the wrong type) throws here.
    expect(() => schemaCheck(schema).compile()).not.toThrow();
  });

  it('reports a schema that does not compile as a defect, not as a bad value', () => {
    const check = schemaCheck({ title: 'Typo', type: 'object', propertees: {} });
    expect(() => check({})).toThrow(ContractSchemaError);
    expect(() => check({})).toThrow(/Typo/);
  });

  it('requires the scoped field of a flush only for its scope', () => {
    const check = schemaCheck(cacheFlushPayloadSchema);
    expect(check({ scope: 'all' })).toBeUndefined();
    expect(check({ scope: 'partition' })).toEqual({ field: 'partition', message: 'partition: is required' });
    expect(check({ scope: 'partition', partition: 3 })).toBeUndefined();
    expect(check({ scope: 'principal', principal: '' })?.field).toBe('principal');
    expect(check({ scope: 'everything' })?.field).toBe('scope');
  });

  it('wants exactly one start for a replay', () => {
    const check = schemaCheck(replayControlRequestSchema);
    expect(check({ fromSequence: 1 })).toBeUndefined();
    expect(check({ since: '2026-11-30T00:00:00Z', service: 'turing' })).toBeUndefined();
    expect(check({})).toBeDefined();
    expect(check({ fromSequence: 1, since: '2026-11-30T00:00:00Z' })).toBeDefined();
    expect(check({ fromSequence: 0 })?.field).toBe('fromSequence');
  });

  it('describes RPC replies as exactly one of result or error', () => {
    const check = schemaCheck(checkReplySchema);
    expect(check({ ok: true, result: { allowed: true, revision: 3, tags: ['p:user:a@b.c'] } })).toBeUndefined();
    expect(check({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'a valid serviceToken is required' } })).toBeUndefined();
    expect(check({ ok: false, error: { code: 'TEAPOT', message: 'x' } })).toBeDefined();
    expect(check({ ok: true })).toBeDefined();
  });

  it('describes a stats reply with the cache module stats', () => {
    const check = schemaCheck(statsControlReplySchema);
    const stats = { service: 'turing', instanceId: 'i1', enabled: true, live: true, degraded: false, appliedSequence: 9, streamLastSequence: 9, lag: 0, appliedRevision: 7, cache: { hits: 1 }, subscription: null };
    expect(check({ kind: 'result', service: 'turing', instanceId: 'i1', ok: true, result: stats })).toBeUndefined();
    expect(check({ kind: 'result', service: 'turing', instanceId: 'i1', ok: true, result: { ...stats, lag: -1 } })?.field).toBe('result.lag');
  });

  it('names the field as a dotted path without indices, and the index in the message', () => {
    const check = schemaCheck(eventEnvelopeSchema);
    const envelope = { id: 'e1', type: 'policy.deleted', version: 1, revision: 1, occurredAt: '2026-11-30T00:00:00Z', actor: 'a', tags: ['p:ok', 'x'], payload: {} };
    expect(check(envelope)).toEqual({ field: 'tags', message: 'tags.1: must NOT have fewer than 3 characters' });
    expect(check({ ...envelope, tags: [] }, 'outer')).toBeUndefined();
    expect(check({ ...envelope, actor: '' }, 'outer')?.field).toBe('outer.actor');
  });

  it('never echoes the checked value in a message', () => {
    const check = schemaCheck(checkRpcRequestSchema);
    const valid = { principal: 'user:a@b.c', action: 'routers.read', resource: 'projects:1', serviceToken: 'svc' };
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(valid)), fc.string({ minLength: 1100, maxLength: 1200 }), (field, secret) => {
        const violation = check({ ...valid, [field]: secret });
        expect(violation?.field).toBe(field);
        expect(violation?.message).not.toContain(secret.slice(0, 16));
      }),
      { numRuns: 100 },
    );
  });
});
