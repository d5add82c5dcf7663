import { RequestError, TimeoutError, type NatsConnection } from '@nats-io/nats-core';
import { CheckRequest, CheckResult, ResolvedIdentity, RpcReply, RPC_SUBJECTS } from '@iam/contracts';
import { AuthorityUnavailableError } from '../errors';
import { asCheckResult, asResolvedIdentity, AuthorityClient, authorityError } from './authority-client';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The authority's read API over NATS request/reply, in plain JSON (the
 * contract's `CheckRpcRequest` / `ResolveIdentityRpcRequest` in,
 * `CheckReply` / `ResolveIdentityReply` out; see `docs/asyncapi.yaml`).
 * Error replies also carry the NATS service framework's error headers; the
 * JSON body is what counts here.
 */
export class NatsAuthorityClient implements AuthorityClient {
  readonly transport = 'nats' as const;

  constructor(
    /** The module's connection: `current` once connected, `start()` resolves when it is. */
    private readonly connection: { readonly current: NatsConnection | undefined; start(): Promise<NatsConnection> },
    private readonly serviceToken: string,
    private readonly timeoutMs: number,
  ) {}

  async check(request: CheckRequest): Promise<CheckResult> {
    const reply = await this.call<CheckResult>(RPC_SUBJECTS.check, { serviceToken: this.serviceToken, ...request });
    if (!reply.ok) throw authorityError(reply.error, request.atLeastRevision);
    return asCheckResult(reply.result);
  }

  async resolveIdentity(token: string, atLeastRevision?: number): Promise<ResolvedIdentity | null> {
    // `{serviceToken, token}` only, as the contract says: the authority answers from its latest state.
    const reply = await this.call<ResolvedIdentity>(RPC_SUBJECTS.resolveIdentity, { serviceToken: this.serviceToken, token });
    if (!reply.ok) {
      if (reply.error?.code === 'TOKEN_INVALID') return null;
      throw authorityError(reply.error, atLeastRevision);
    }
    return asResolvedIdentity(reply.result);
  }

  /** Right after start-up the connection may still be coming: wait for it, within the call's timeout. */
  private async firstConnection(): Promise<NatsConnection> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs);
    });
    try {
      const nc = await Promise.race([this.connection.start().catch(() => undefined), timeout]);
      if (!nc || nc.isClosed()) throw new AuthorityUnavailableError('the NATS connection to the authority is not open');
      return nc;
    } finally {
      clearTimeout(timer);
    }
  }

  private async call<T>(subject: string, request: Record<string, unknown>): Promise<RpcReply<T>> {
    const nc = this.connection.current ?? (await this.firstConnection());
    let raw: Uint8Array;
    try {
      const msg = await nc.request(subject, encoder.encode(JSON.stringify(request)), { timeout: this.timeoutMs });
      raw = msg.data;
    } catch (error) {
      const why =
        error instanceof RequestError && error.isNoResponders()
          ? 'no authority is listening'
          : error instanceof TimeoutError
            ? `no answer within ${this.timeoutMs} ms`
            : (error as Error).message;
      throw new AuthorityUnavailableError(`authority ${subject} over NATS failed: ${why}`, { cause: error });
    }
    let reply: RpcReply<T> | undefined;
    try {
      reply = JSON.parse(decoder.decode(raw)) as RpcReply<T>;
    } catch {
      throw new AuthorityUnavailableError(`authority ${subject} over NATS answered with invalid JSON`);
    }
    if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean') {
      throw new AuthorityUnavailableError(`authority ${subject} over NATS answered with an unexpected shape`);
    }
    return reply;
  }
}
