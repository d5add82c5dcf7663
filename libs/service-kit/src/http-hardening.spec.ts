import { jsonDepthExceeds } from './http-hardening';

describe('jsonDepthExceeds', () => {
  const nest = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
    return value;
  };

  it('counts objects and arrays, not scalars', () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds(nest(3), 3)).toBe(false);
    expect(jsonDepthExceeds(nest(4), 3)).toBe(true);
  });

  it('walks a 5,000-deep body without overflowing the stack', () => {
    expect(jsonDepthExceeds(nest(5000), 32)).toBe(true);
    expect(jsonDepthExceeds({ wide: Array.from({ length: 10_000 }, () => ({ a: 1 })) }, 32)).toBe(false);
  });
});
