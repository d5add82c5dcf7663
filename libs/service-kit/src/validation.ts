import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { invalidRequest } from './http-errors';

/** The first failing field of a validation, as a dotted path, with its message. */
export function firstValidationError(errors: ValidationError[], prefix = ''): { field: string; message: string } | undefined {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) return { field, message: Object.values(error.constraints)[0] ?? `${field} is invalid` };
    const nested = firstValidationError(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The global pipe: strips nothing silently (unknown fields are a 400) and
 * answers `{code: 'INVALID_REQUEST', message, field}` like the authority does.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const first = firstValidationError(errors) ?? { field: '$', message: 'request is invalid' };
      return invalidRequest(first.field, first.message);
    },
  });
}
