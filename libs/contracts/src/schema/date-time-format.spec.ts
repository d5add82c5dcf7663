import fc from 'fast-check';
import { isRfc3339DateTime } from './date-time-format';

describe('date-time format (RFC 3339)', () => {
  it('accepts every time Date.toISOString() writes', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(isRfc3339DateTime(date.toISOString())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each(['2026-11-30T05:18:30+01:00', '2026-11-30t04:18:30z', '2026-11-30 04:18:30Z', '2024-02-29T00:00:00.123456Z'])('accepts %s', (value) => {
    expect(isRfc3339DateTime(value)).toBe(true);
  });

  it.each([
    'yesterday',
    '2026-11-30',
    '2026-11-30T04:18:30',
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-11-30T24:00:00Z',
    '2026-11-30T23:60:00Z',
    '2026-11-30T23:59:60Z',
    '2026-11-30T04:18:30+24:00',
    '2026-11-30T04:18:30.Z',
    ' 2026-11-30T04:18:30Z',
  ])('refuses %p', (value) => {
    expect(isRfc3339DateTime(value)).toBe(false);
  });
});
