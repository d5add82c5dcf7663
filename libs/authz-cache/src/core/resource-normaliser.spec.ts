import { firstSegments, keepFullResource } from './resource-normaliser';

describe('resource normalisers', () => {
  it('keepFullResource returns the resource unchanged', () => {
    expect(keepFullResource('projects:42:routers:7')).toBe('projects:42:routers:7');
  });

  it('firstSegments keeps the first n segments', () => {
    expect(firstSegments(2)('projects:42:routers:7')).toBe('projects:42');
    expect(firstSegments(1)('projects:42')).toBe('projects');
    expect(firstSegments(3)('projects:42:routers:7')).toBe('projects:42:routers');
  });

  it('firstSegments keeps shorter resources whole and is idempotent', () => {
    const two = firstSegments(2);
    expect(two('projects')).toBe('projects');
    expect(two('projects:42')).toBe('projects:42');
    expect(two(two('projects:42:routers:7'))).toBe('projects:42');
  });

  it('firstSegments rejects a non-positive or fractional n', () => {
    expect(() => firstSegments(0)).toThrow(RangeError);
    expect(() => firstSegments(1.5)).toThrow(/positive integer/);
  });
});
