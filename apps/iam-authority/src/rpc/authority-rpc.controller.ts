import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CheckResult, ResolvedIdentity, RPC_SUBJECTS, RpcReply, secretsEqual } from '@iam/contracts';
import { AUTHORITY_CONFIG } from '../app.tokens';
import { AuthorityConfig } from '../config/authority-config';
import { AccessService } from '../domain/access.service';
import { AuthorityError } from '../domain/errors';
import { AuthorityMetrics } from '../observability/authority-metrics';

/**
 * `check` and `resolveIdentity` over NATS request/reply (queue
 * `iam-authority`). Never throws: every outcome is an {@link RpcReply}.
 */
@Controller()
export class AuthorityRpcController {
  private readonly logger = new Logger('AuthorityRpc');

  constructor(
    private readonly access: AccessService,
    private readonly metrics: AuthorityMetrics,
    @Inject(AUTHORITY_CONFIG) private readonly config: AuthorityConfig,
  ) {}

  /** `{ serviceToken, principal, action, resource, atLeastRevision? }` -> `RpcReply<CheckResult>`. */
  @MessagePattern(RPC_SUBJECTS.check)
  async check(@Payload() data: unknown): Promise<RpcReply<CheckResult>> {
    return this.answer('check', data, async (request) => {
      const { allowed, revision, tags } = await this.access.check(request as never);
      return { allowed, revision, tags };
    });
  }

  /** `{ serviceToken, token }` -> `RpcReply<ResolvedIdentity>`. */
  @MessagePattern(RPC_SUBJECTS.resolveIdentity)
  async resolve(@Payload() data: unknown): Promise<RpcReply<ResolvedIdentity>> {
    return this.answer('resolve', data, (request) => this.access.resolveIdentity(request.token));
  }

  private async answer<T>(op: string, data: unknown, work: (request: Record<string, unknown>) => Promise<T>): Promise<RpcReply<T>> {
    const stop = this.metrics.checkLatency.startTimer({ transport: 'nats', op });
    try {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        return { ok: false, error: { code: 'INVALID_REQUEST', message: 'request must be a JSON object', field: '$' } };
      }
      const request = data as Record<string, unknown>;
      const presented = request.serviceToken;
      // The service token only: admin tokens administer, they do not stand in for a service.
      if (typeof presented !== 'string' || !secretsEqual(presented, this.config.serviceToken)) {
        return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'a valid serviceToken is required' } };
      }
      return { ok: true, result: await work(request) };
    } catch (error) {
      if (error instanceof AuthorityError) return { ok: false, error: error.toBody() };
      this.logger.error(`${op} failed: ${(error as Error).message}`);
      return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
    } finally {
      stop();
    }
  }
}
