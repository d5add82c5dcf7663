import { createEvent, encodeEvent } from '@iam/contracts';
import { describeMessage, formatTailedEvent } from './events-tail';

describe('events tail formatting', () => {
  it('prints a decoded event on one line', () => {
    const event = createEvent({
      type: 'policy.deleted',
      revision: 12,
      actor: 'admin',
      tags: ['pol:pol_1', 'p:user:ada@example.com'],
      payload: { policyId: 'pol_1' },
      occurredAt: new Date('2024-05-01T10:00:00.000Z'),
    });
    const line = formatTailedEvent(describeMessage(7, 'iam.v1.events.policy.deleted', encodeEvent(event)));
    expect(line).toBe('#7  2024-05-01T10:00:00.000Z  rev 12  policy.deleted  by admin  tags pol:pol_1, p:user:ada@example.com');
  });

  it('marks malformed and unreadable messages instead of failing', () => {
    const junk = describeMessage(8, 'iam.v1.events.x', new TextEncoder().encode('{not json'));
    expect(junk.kind).toBe('error');
    expect(formatTailedEvent(junk)).toContain('MALFORMED  EVENT_INVALID_JSON');
    const future = { id: 'e1', type: 'policy.exploded', version: 1, revision: 3, occurredAt: '2024-05-01T10:00:00.000Z', actor: 'admin', tags: ['pol:x'], payload: {} };
    const unreadable = describeMessage(9, 'iam.v1.events.policy.exploded', new TextEncoder().encode(JSON.stringify(future)));
    expect(unreadable.kind).toBe('unreadable');
    expect(formatTailedEvent(unreadable)).toContain('(unreadable');
  });
});
