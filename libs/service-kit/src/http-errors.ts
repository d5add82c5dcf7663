import { BadRequestException, NotFoundException } from '@nestjs/common';

/** 404 with the JSON error shape every service of this project answers: `{code, message}`. */
export function notFound(message: string): NotFoundException {
  return new NotFoundException({ code: 'NOT_FOUND', message });
}

/** 400 naming the offending field. */
export function invalidRequest(field: string, message: string): BadRequestException {
  return new BadRequestException({ code: 'INVALID_REQUEST', message, field });
}
