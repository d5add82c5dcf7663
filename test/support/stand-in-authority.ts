import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { ConnectionOptions, NatsConnection, Subscription } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  CHECKPOINT_SUBJECT,
  CheckResult,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  encodeCheckpoint,
  createEvent,
  encodeEvent,
  eventStreamConfig,
  EventType,
  IamEvent,
  IAM_EVENTS_STREAM,
  PayloadOf,
  ResolvedIdentity,
  RPC_SUBJECTS,
  SAMPLE_PAYLOADS,
  subjectFor,
} from '@iam/contracts';
import { TEST_SERVICE_TOKEN } from './credentials';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A token the stand-in knows: `iam_<16 hex>_<43 base64url>`. */
export interface StandInToken {
  token: string;
  tokenId: string;
  principal: string;
}

/**
 * A tiny authority for the cache module's tests: answers the two RPC
 * subjects on a real nats-server in the authority's plain JSON (the
 * contract's request and reply schemas), from an in-memory grant table, and publishes events to the real
 * stream with `encodeEvent`. It counts every call, can go "down" (stop
 * answering) and come back, and can delay answers.
 *
 * Like the real relay it publishes a freshness checkpoint every
 * `checkpointIntervalMs` on core NATS, only while none of its events is in
 * flight (every event up to the revision it states is on the stream);
 * {@link stopCheckpoints} silences it (a stalled relay).
 */
export class StandInAuthority {
  revision = 0;
  /**
   * The revision of the newest event on the stream: what checkpoints vouch
   * for. A test that bumps `revision` without publishing (a change the cache
   * has not heard of) is not covered by any checkpoint, as with the relay,
   * where every revision has its event.
   */
  private publishedRevision = 0;
  readonly calls = { check: 0, identity: 0 };
  /** Wrong service tokens are refused with UNAUTHENTICATED, like the real authority. */
  serviceToken = TEST_SERVICE_TOKEN;
  private readonly grants = new Set<string>();
  private readonly tokens = new Map<string, StandInToken>();
  /** Checkpoints published so far. */
  checkpointsSent = 0;
  private subscriptions: Subscription[] = [];
  private http: Server | undefined;
  private inFlight = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointing = false;

  private constructor(
    readonly nc: NatsConnection,
    readonly checkpointIntervalMs: number,
  ) {}

  /** Connects (use the `authority` role with an auth server), provisions the stream and starts answering. */
  static async start(
    options: ConnectionOptions,
    { provision = true, checkpoints = true, checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS }: { provision?: boolean; checkpoints?: boolean; checkpointIntervalMs?: number } = {},
  ): Promise<StandInAuthority> {
    const nc = await connect(options);
    const authority = new StandInAuthority(nc, checkpointIntervalMs);
    if (provision) await authority.provision();
    authority.answer();
    if (checkpoints) authority.startCheckpoints();
    await nc.flush();
    return authority;
  }

  /** Publishes checkpoints every interval (the default after start). */
  startCheckpoints(): void {
    if (this.checkpointTimer) return;
    this.checkpointTimer = setInterval(() => void this.checkpoint(), this.checkpointIntervalMs);
    this.checkpointTimer.unref();
    void this.checkpoint();
  }

  /** Stops publishing checkpoints (a stalled relay, a frozen authority). */
  stopCheckpoints(): void {
    clearInterval(this.checkpointTimer);
    this.checkpointTimer = undefined;
  }

  /**
   * One checkpoint, like the relay's: the revision read while nothing is in
   * flight, so every event up to it is on the stream at or before the
   * stream's last sequence read after it.
   */
  async checkpoint(): Promise<void> {
    if (this.inFlight > 0 || this.checkpointing || this.nc.isClosed()) return;
    this.checkpointing = true;
    try {
      const revision = this.publishedRevision;
      const issuedAt = Date.now();
      const info = await (await jetstreamManager(this.nc, { timeout: 1000 })).streams.info(IAM_EVENTS_STREAM);
      if (!this.checkpointTimer) return;
      this.nc.publish(
        CHECKPOINT_SUBJECT,
        encodeCheckpoint({ v: 1, revision, sequence: info.state.last_seq, stream: info.created, issuedAt, relay: 'stand-in' }),
      );
      this.checkpointsSent += 1;
    } catch {
      // NATS down or the stream missing: no proof to give, like the relay.
    } finally {
      this.checkpointing = false;
    }
  }

  /** Creates the IAM_EVENTS stream (idempotent). */
  async provision(): Promise<void> {
    await (await jetstreamManager(this.nc)).streams.add(eventStreamConfig());
  }

  /** Grants `principal` `action` on exactly `resource`. */
  allow(principal: string, action: string, resource: string): void {
    this.grants.add(`${principal}|${action}|${resource}`);
  }

  /** Removes a grant (no event: call {@link publish} to tell the caches). */
  deny(principal: string, action: string, resource: string): void {
    this.grants.delete(`${principal}|${action}|${resource}`);
  }

  /** Mints a token for `principal`. */
  mintToken(principal: string): StandInToken {
    const tokenId = randomBytes(8).toString('hex');
    const token = `iam_${tokenId}_${randomBytes(32).toString('base64url')}`;
    const minted = { token, tokenId, principal };
    this.tokens.set(token, minted);
    return minted;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The tags a check answer carries (what the tests invalidate with). */
  static checkTags(principal: string, resource: string): string[] {
    return [`p:${principal}`, `r:${resource}`];
  }

  /** Publishes an event of `type` with `tags` at a new revision; resolves with its stream sequence. */
  async publish<T extends EventType>(type: T, tags: string[], payload?: PayloadOf<T>): Promise<{ seq: number; revision: number }> {
    this.revision += 1;
    const event = createEvent({ type, revision: this.revision, actor: 'user:admin@example.com', tags, payload: payload ?? SAMPLE_PAYLOADS[type] });
    this.inFlight += 1;
    try {
      const ack = await jetstream(this.nc).publish(subjectFor(type), encodeEvent(event as IamEvent), { msgID: event.id });
      this.publishedRevision = Math.max(this.publishedRevision, event.revision);
      return { seq: ack.seq, revision: event.revision };
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Publishes raw bytes on an event subject (malformed / unknown / future events). */
  async publishRaw(subject: string, data: Uint8Array | string): Promise<number> {
    const ack = await jetstream(this.nc).publish(subject, typeof data === 'string' ? encoder.encode(data) : data);
    return ack.seq;
  }

  /** Stops answering RPC (the authority is "down"). */
  async goDown(): Promise<void> {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
    await this.nc.flush();
  }

  /** Answers again. */
  async comeBack(): Promise<void> {
    this.answer();
    await this.nc.flush();
  }

  async close(): Promise<void> {
    this.stopCheckpoints();
    await this.stopHttp();
    await this.nc.close().catch(() => undefined);
  }

  /**
   * Serves the same answers over HTTP (`POST /v1/check`, `POST /v1/identity/resolve`,
   * bearer service token) on `port` (0 = any); resolves with the base URL.
   */
  async startHttp(port = 0): Promise<string> {
    const status: Record<string, number> = { UNAUTHENTICATED: 401, TOKEN_INVALID: 404, REVISION_NOT_REACHED: 412 };
    this.http = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const auth = req.headers.authorization ?? '';
        const data = { ...(JSON.parse(body || '{}') as Record<string, unknown>), serviceToken: auth.replace(/^Bearer /, '') };
        let reply: { ok: boolean; result?: unknown; error?: { code: string } };
        if (req.url === '/v1/check') {
          this.calls.check += 1;
          reply = this.check(data);
        } else if (req.url === '/v1/identity/resolve') {
          this.calls.identity += 1;
          reply = this.identity(data);
        } else {
          reply = { ok: false, error: { code: 'NOT_FOUND' } };
        }
        res.writeHead(reply.ok ? 200 : (status[reply.error!.code] ?? 404), { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.ok ? reply.result : reply.error));
      });
    });
    await new Promise<void>((resolve) => this.http!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** Stops the HTTP face (the authority is unreachable over HTTP). */
  async stopHttp(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    if (!http) return;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  streamInfo() {
    return jetstreamManager(this.nc).then((jsm) => jsm.streams.info(IAM_EVENTS_STREAM));
  }

  private answer(): void {
    if (this.subscriptions.length > 0) return;
    this.subscriptions.push(
      this.nc.subscribe(RPC_SUBJECTS.check, {
        callback: (_err, msg) => {
          this.calls.check += 1;
          const data = JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>;
          msg.respond(encoder.encode(JSON.stringify(this.check(data))));
        },
      }),
      this.nc.subscribe(RPC_SUBJECTS.resolveIdentity, {
        callback: (_err, msg) => {
          this.calls.identity += 1;
          const data = JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>;
          msg.respond(encoder.encode(JSON.stringify(this.identity(data))));
        },
      }),
    );
  }

  private check(data: Record<string, unknown>) {
    if (data.serviceToken !== this.serviceToken) return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'bad service token' } };
    const atLeast = data.atLeastRevision as number | undefined;
    if (atLeast !== undefined && atLeast > this.revision) {
      return { ok: false, error: { code: 'REVISION_NOT_REACHED', message: 'not yet', revision: this.revision } };
    }
    const { principal, action, resource } = data as { principal: string; action: string; resource: string };
    const result: CheckResult = {
      allowed: this.grants.has(`${principal}|${action}|${resource}`),
      revision: this.revision,
      tags: StandInAuthority.checkTags(principal, resource),
    };
    return { ok: true, result };
  }

  private identity(data: Record<string, unknown>) {
    if (data.serviceToken !== this.serviceToken) return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'bad service token' } };
    const known = this.tokens.get(data.token as string);
    if (!known) return { ok: false, error: { code: 'TOKEN_INVALID', message: 'unknown, expired or revoked token' } };
    const result: ResolvedIdentity = {
      principal: known.principal,
      groups: [],
      tokenId: known.tokenId,
      expiresAt: null,
      revision: this.revision,
      tags: [`tok:${known.tokenId}`, `p:${known.principal}`],
    };
    return { ok: true, result };
  }
}
