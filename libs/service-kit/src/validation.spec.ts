import { ValidationError } from 'class-validator';
import { firstValidationError } from './validation';

function error(property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints, children });
}

describe('firstValidationError', () => {
  it('names a top-level field', () => {
    expect(firstValidationError([error('name', { isString: 'name must be a string' })])).toEqual({
      field: 'name',
      message: 'name must be a string',
    });
  });

  it('names a nested field as a dotted path', () => {
    const nested = error('variants', undefined, [error('0', undefined, [error('weight', { max: 'weight must not be greater than 100' })])]);
    expect(firstValidationError([nested])).toEqual({ field: 'variants.0.weight', message: 'weight must not be greater than 100' });
  });

  it('returns undefined when nothing failed', () => {
    expect(firstValidationError([])).toBeUndefined();
  });
});
