import { Logger } from '@nestjs/common';
import {
  CheckResult,
  checkRpcRequestSchema,
  ResolvedIdentity,
  resolveIdentityRpcRequestSchema,
  RpcReply,
  schemaCheck,
  SchemaCheck,
  secretsEqual,
  TokenBucket,
} from '@iam/contracts';
import { AccessService } from '../domain/access.service';
import { AuthorityError } from '../domain/errors';

const decoder = new TextDecoder();
const checkRequest = schemaCheck(checkRpcRequestSchema);
const resolveRequest = schemaCheck(resolveIdentityRpcRequestSchema);

/**
 * `check` and `resolveIdentity` as plain JSON: request bytes in, the
 * contract's reply (`RpcReply<T>`) out. Never throws. The order of the
 * checks is deliberate: a caller without the service token learns nothing
 * about the request grammar (UNAUTHENTICATED before INVALID_REQUEST).
 */
export class AuthorityRpcHandlers {
  private readonly logger = new Logger('AuthorityRpc');

  /** Requests a second this replica answers (burst: one second's worth); null: no limit. */
  private readonly limit: TokenBucket | null;

  constructor(
    private readonly access: AccessService,
    private readonly serviceToken: string,
    /** IAM_RPC_RATE_LIMIT_PER_SECOND; 0 turns the limit off. */
    ratePerSecond = 0,
  ) {
    this.limit = ratePerSecond > 0 ? new TokenBucket(ratePerSecond, ratePerSecond) : null;
  }

  /** `CheckRpcRequest` -> `CheckReply`. */
  check(body: Uint8Array): Promise<RpcReply<CheckResult>> {
    return this.answer('check', body, checkRequest, async (request) => {
      const { allowed, revision, tags } = await this.access.check(request as never);
      return { allowed, revision, tags };
    });
  }

  /** `ResolveIdentityRpcRequest` -> `ResolveIdentityReply`. */
  resolveIdentity(body: Uint8Array): Promise<RpcReply<ResolvedIdentity>> {
    return this.answer('resolve', body, resolveRequest, (request) => this.access.resolveIdentity(request.token));
  }

  private async answer<T>(op: string, body: Uint8Array, validate: SchemaCheck, work: (request: Record<string, unknown>) => Promise<T>): Promise<RpcReply<T>> {
    // First, before any parsing: a flood costs one comparison per request.
    if (this.limit && !this.limit.take()) return { ok: false, error: { code: 'RATE_LIMITED', message: 'too many requests to this authority replica; retry shortly' } };
    try {
      let data: unknown;
      try {
        data = JSON.parse(decoder.decode(body));
      } catch {
        return { ok: false, error: { code: 'INVALID_REQUEST', message: 'request must be JSON', field: '$' } };
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        return { ok: false, error: { code: 'INVALID_REQUEST', message: 'request must be a JSON object', field: '$' } };
      }
      const request = data as Record<string, unknown>;
      const presented = request.serviceToken;
      // The service token only: admin tokens administer, they do not stand in for a service.
      if (typeof presented !== 'string' || !secretsEqual(presented, this.serviceToken)) {
        return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'a valid serviceToken is required' } };
      }
      // The published schema at the edge (compiled); the domain then checks the identifier grammar.
      const violation = validate(request);
      if (violation) return { ok: false, error: { code: 'INVALID_REQUEST', message: violation.message, field: violation.field } };
      return { ok: true, result: await work(request) };
    } catch (error) {
      if (error instanceof AuthorityError) return { ok: false, error: error.toBody() };
      this.logger.error(`${op} failed: ${(error as Error).message}`);
      return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
    }
  }
}
