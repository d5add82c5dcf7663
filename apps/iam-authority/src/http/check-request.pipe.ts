import { Injectable, PipeTransform } from '@nestjs/common';
import { CheckRequest } from '@iam/contracts';
import { invalid } from '../domain/errors';

/** The fields a check request may carry. */
const CHECK_FIELDS = new Set(['principal', 'action', 'resource', 'atLeastRevision']);

/**
 * Body pipe of `POST /v1/check`, the authority's hot path. The body is typed
 * as the `CheckRequest` interface, which the global ValidationPipe leaves
 * alone (class-transformer + class-validator cost about as much as the
 * in-memory evaluation and the handler together); each field is validated
 * by the domain (`AccessService.check`, the same rules and messages the NATS
 * path and the DTOs use). This pipe refuses what the domain does not see:
 * a body that is not an object, and unknown fields (as `forbidNonWhitelisted`).
 */
@Injectable()
export class CheckRequestPipe implements PipeTransform<unknown, CheckRequest> {
  transform(value: unknown): CheckRequest {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('$', 'request body must be a JSON object');
    for (const key of Object.keys(value)) {
      if (!CHECK_FIELDS.has(key)) throw invalid(key, `property ${key} should not exist`);
    }
    return value as CheckRequest;
  }
}
