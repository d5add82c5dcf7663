import { ValidationError, ValidationPipe } from '@nestjs/common';
import { invalid } from '../domain/errors';

/** First failing field as a dotted path (`subjects.2`), and its first message. */
export function firstValidationError(errors: ValidationError[], prefix = ''): { field: string; message: string } {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      // whitelistValidation's message is "property x should not exist": keep it, it names the field.
      return { field, message: Object.values(error.constraints)[0] };
    }
    if (error.children?.length) return firstValidationError(error.children, field);
  }
  return { field: prefix || '$', message: 'request body is invalid' };
}

/** The global pipe: whitelist, refuse unknown fields, 400 INVALID_REQUEST naming the first bad field. */
export function authorityValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: false,
    exceptionFactory: (errors) => {
      const { field, message } = firstValidationError(errors);
      return invalid(field, message);
    },
  });
}
