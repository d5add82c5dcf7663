import fc from 'fast-check';
import { createEvent, decodeEvent, encodeEvent, MAX_EVENT_BYTES, validateEvent } from './codec';
import { EventDecodeError, EventEncodeError } from './errors';
import { EVENT_TYPES, EventType, IamEvent } from './events';
import { SAMPLE_PAYLOADS } from './fixtures';
import { subjectFor } from './subjects';

const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

function sample<T extends EventType>(type: T, revision = 7): IamEvent {
  return createEvent({ type, revision, actor: 'admin', tags: ['p:user:ada@example.com'], payload: SAMPLE_PAYLOADS[type] }) as IamEvent;
}

function decodeError(data: Uint8Array): EventDecodeError {
  const result = decodeEvent(data);
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  expect(result.error).toBeInstanceOf(EventDecodeError);
  return result.error;
}

describe('event codec', () => {
  it.each(EVENT_TYPES)('round-trips %s', (type) => {
    const event = sample(type);
    const result = decodeEvent(encodeEvent(event));
    expect(result).toEqual({ kind: 'event', event });
  });

  it('keeps the optional tenant and de-duplicates tags', () => {
    const event = createEvent({ type: 'token.revoked', revision: 3, actor: 'a', tags: ['tok:t1', 'tok:t1'], payload: SAMPLE_PAYLOADS['token.revoked'], tenant: 'acme' });
    expect(event.tags).toEqual(['tok:t1']);
    expect(decodeEvent(encodeEvent(event as IamEvent))).toMatchObject({ kind: 'event', event: { tenant: 'acme' } });
  });

  it('names the subject after the type', () => {
    expect(subjectFor('group.member.added')).toBe('iam.v1.events.group.member.added');
  });

  it.each(['id', 'type', 'version', 'revision', 'occurredAt', 'actor', 'tags', 'payload'])('rejects an envelope without %s, naming it', (field) => {
    const plain = JSON.parse(JSON.stringify(sample('policy.deleted'))) as Record<string, unknown>;
    delete plain[field];
    const error = decodeError(enc(plain));
    expect(error.code).toBe('EVENT_INVALID_ENVELOPE');
    expect(error.field).toBe(field);
  });

  it.each([
    ['revision', '7'],
    ['revision', -1],
    ['revision', 1.5],
    ['version', 0],
    ['tags', 'p:x'],
    ['tags', [1]],
    ['occurredAt', 'yesterday'],
    ['actor', ''],
  ])('rejects a wrong %s (%p)', (field, value) => {
    const plain = { ...sample('policy.deleted'), [field]: value };
    expect(decodeError(enc(plain)).field).toBe(field);
  });

  it('rejects a payload with a missing field, naming the dotted path', () => {
    const plain = { ...sample('group.member.added'), payload: { groupId: 'group:eng' } };
    const error = decodeError(enc(plain));
    expect(error).toMatchObject({ code: 'EVENT_INVALID_PAYLOAD', field: 'payload.principalId' });
  });

  it('rejects a payload field of the wrong type', () => {
    const plain = { ...sample('principal.deleted'), payload: { principalId: 'user:a', tokenIds: 'nope' } };
    expect(decodeError(enc(plain))).toMatchObject({ code: 'EVENT_INVALID_PAYLOAD', field: 'payload.tokenIds' });
  });

  it('requires the scoped field of a flush', () => {
    const plain = { ...sample('cache.flush'), payload: { scope: 'tenant' } };
    expect(decodeError(enc(plain)).field).toBe('payload.tenant');
  });

  it('rejects a non-object payload', () => {
    expect(decodeError(enc({ ...sample('policy.deleted'), payload: 'x' })).field).toBe('payload');
  });

  it('rejects invalid JSON and invalid UTF-8', () => {
    expect(decodeError(new TextEncoder().encode('{"id":')).code).toBe('EVENT_INVALID_JSON');
    expect(decodeError(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).code).toBe('EVENT_INVALID_JSON');
  });

  it('rejects JSON that is not an object', () => {
    for (const value of [null, 42, 'text', [1, 2]]) expect(decodeError(enc(value)).field).toBe('$');
  });

  it('rejects 1 MB of junk without parsing it', () => {
    const junk = new Uint8Array(MAX_EVENT_BYTES + 1).fill(0x61);
    expect(decodeError(junk).code).toBe('EVENT_TOO_LARGE');
    const underLimit = new Uint8Array(MAX_EVENT_BYTES).fill(0x61);
    expect(decodeError(underLimit).code).toBe('EVENT_INVALID_JSON');
  });

  it('decodes an unknown type to an unreadable event, not an error', () => {
    const plain = { ...sample('policy.deleted'), type: 'tenant.renamed', payload: { anything: true } };
    const result = decodeEvent(enc(plain));
    expect(result).toMatchObject({ kind: 'unreadable', reason: 'unknown-type', event: { type: 'tenant.renamed', tags: ['p:user:ada@example.com'] } });
  });

  it('decodes a higher version to an unreadable event, even for a known type with a new payload', () => {
    const plain = { ...sample('policy.deleted'), version: 2, payload: { policy: { id: 'pol-1' } } };
    expect(decodeEvent(enc(plain))).toMatchObject({ kind: 'unreadable', reason: 'higher-version', event: { version: 2 } });
  });

  it('still requires a valid envelope for an unreadable event', () => {
    const plain = { ...sample('policy.deleted'), type: 'tenant.renamed', revision: 'x' };
    expect(decodeError(enc(plain)).field).toBe('revision');
  });

  it('refuses to encode an invalid event, naming the field', () => {
    const bad = { ...sample('token.revoked'), payload: { tokenId: 't1' } } as unknown as IamEvent;
    expect(() => encodeEvent(bad)).toThrow(EventEncodeError);
    try {
      encodeEvent(bad);
    } catch (err) {
      expect((err as EventEncodeError).field).toBe('payload.principalId');
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = decodeEvent(bytes);
        expect(['event', 'unreadable', 'error']).toContain(result.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON, and only valid envelopes pass', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateEvent(value);
        if (result.kind === 'error') expect(result.error).toBeInstanceOf(EventDecodeError);
        else expect(typeof (result.event as { id: unknown }).id).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on envelopes with mutated fields', () => {
    const base = JSON.parse(JSON.stringify(sample('policy.updated'))) as Record<string, unknown>;
    const fields = Object.keys(base);
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const result = validateEvent({ ...base, [field]: value });
        expect(['event', 'unreadable', 'error']).toContain(result.kind);
      }),
      { numRuns: 500 },
    );
  });
});
