import { IAM_EVENTS_STREAM, IamEvent, REVISION_HEADER, RpcReply } from '@iam/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { Database } from '../../apps/iam-authority/src/storage/database';
import { startTestAuthority } from '../support/authority';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../support/credentials';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../support/database';
import { request as httpRequest } from '../support/http';
import { NatsRole, NatsTestServer, startNatsServer, StartNatsServerOptions } from '../support/nats-server';
import { START_UP_HOOK_TIMEOUT_MS } from '../support/wait';

/*
 * Helpers shared by the authority's integration suites: a suite's NATS
 * server, database and authority (started by test/support/authority.ts),
 * a client of its HTTP API, the stream, the tables.
 */

/** What {@link useAuthoritySuite} starts for a suite; read it inside tests and hooks only. */
export interface AuthoritySuite {
  /** The suite's own NATS server. */
  readonly nats: NatsTestServer;
  /** The suite's own database. */
  readonly db: TestDatabase;
  /** The authority, in this process. */
  readonly authority: RunningAuthority;
  /** Its HTTP API (admin token). */
  readonly api: AuthorityApi;
  /** A NATS connection of the test itself, logged in as `connectAs`. */
  readonly nc: NatsConnection;
}

/** Options of {@link useAuthoritySuite}. */
export interface AuthoritySuiteOptions {
  /** Options of the NATS server (`{ auth: true }`: docker/nats/auth.conf). Default: no auth. */
  nats?: StartNatsServerOptions;
  /** Role of the test's own connection `nc` on an auth server. Default 'authority'. */
  connectAs?: NatsRole;
  /** Extra authority environment (e.g. `IAM_RELAY_POLL_MS`). */
  authorityEnv?: Record<string, string>;
}

/**
 * Registers, in the calling `describe`, a beforeAll that starts a NATS
 * server, a `kind` database, an authority against both, its API client and a
 * NATS connection, and an afterAll that closes them in reverse (each only if
 * it started). Hooks declared after this call run after the start, so a
 * suite seeds its data in its own beforeAll.
 */
export function useAuthoritySuite(kind: DatabaseKind, options: AuthoritySuiteOptions = {}): AuthoritySuite {
  const started: { -readonly [K in keyof AuthoritySuite]?: AuthoritySuite[K] } = {};
  beforeAll(async () => {
    const nats = (started.nats = await startNatsServer(options.nats));
    const db = (started.db = await createTestDatabase(kind));
    const authority = (started.authority = await startTestAuthority(nats, db, options.authorityEnv ? { env: options.authorityEnv } : {}));
    started.api = new AuthorityApi(authority.url);
    started.nc = await connect(nats.connectOptions(options.connectAs));
  }, START_UP_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await started.nc?.close().catch(() => undefined);
    await started.authority?.close();
    await started.db?.dispose();
    await started.nats?.dispose();
  });
  const get = <K extends keyof AuthoritySuite>(key: K): AuthoritySuite[K] => {
    const value = started[key];
    if (value === undefined) throw new Error(`useAuthoritySuite: '${key}' is not started (read it inside a test or a hook declared after useAuthoritySuite)`);
    return value as AuthoritySuite[K];
  };
  return {
    get nats() {
      return get('nats');
    },
    get db() {
      return get('db');
    },
    get authority() {
      return get('authority');
    },
    get api() {
      return get('api');
    },
    get nc() {
      return get('nc');
    },
  };
}

/** Loosely typed JSON: tests read fields the API documents. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One HTTP answer. */
export interface ApiResponse<T = Json> {
  status: number;
  body: T;
  /** `x-iam-revision`, when present. */
  revision: number | undefined;
}

/** A tiny client of the authority's HTTP API (admin token unless told otherwise). */
export class AuthorityApi {
  constructor(readonly url: string) {}

  async request<T = Json>(method: string, path: string, body?: unknown, token: string | null = TEST_ADMIN_TOKEN): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await httpRequest(`${this.url}${path}`, { method, headers, ...(typeof body === 'string' ? { rawBody: body } : { body }) });
    const header = response.headers[REVISION_HEADER];
    return { status: response.status, body: response.text ? JSON.parse(response.text) : undefined, revision: header === undefined ? undefined : Number(header) };
  }

  /** Like {@link request} but fails unless the status is 2xx. */
  async ok<T = Json>(method: string, path: string, body?: unknown, token?: string | null): Promise<T> {
    const response = await this.request<T>(method, path, body, token);
    if (response.status < 200 || response.status >= 300) throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  check(principal: string, action: string, resource: string, extra: Record<string, unknown> = {}) {
    return this.ok<{ allowed: boolean; revision: number; tags: string[] }>('POST', '/v1/check', { principal, action, resource, ...extra }, TEST_SERVICE_TOKEN);
  }

  resolve(token: string) {
    return this.request('POST', '/v1/identity/resolve', { token }, TEST_SERVICE_TOKEN);
  }
}

/** `encodeURIComponent` for path segments. */
export const enc = encodeURIComponent;

/** Every event in the stream, in stream order (empty when the stream does not exist yet). */
export async function readStream(nc: NatsConnection): Promise<Array<{ seq: number; subject: string; event: IamEvent }>> {
  const jsm: JetStreamManager = await jetstreamManager(nc);
  let info;
  try {
    info = await jsm.streams.info(IAM_EVENTS_STREAM);
  } catch {
    return [];
  }
  const out: Array<{ seq: number; subject: string; event: IamEvent }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
    const msg = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq });
    if (msg !== null) out.push({ seq, subject: msg.subject, event: msg.json<IamEvent>() });
  }
  return out;
}

/** Number of messages in the stream (0 when it does not exist). */
export async function streamCount(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  try {
    return (await jsm.streams.info(IAM_EVENTS_STREAM)).state.messages;
  } catch {
    return 0;
  }
}

const TABLES = ['principals', 'groups', 'group_members', 'roles', 'policies', 'tokens', 'revision', 'outbox'];

/** Every row of every table, as JSON text, in a stable order: compare before/after to prove nothing was written. */
export async function dumpTables(db: Database): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of TABLES) {
    const rows = await db.query<{ row: unknown }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
    dump[table] = rows.map((row) => String(row.row)).sort();
  }
  return dump;
}

/** Calls the authority's NATS RPC the way the cache module does: plain JSON request, plain JSON `RpcReply` back. */
export async function rpc<T = Json>(nc: NatsConnection, subject: string, data: Record<string, unknown>): Promise<RpcReply<T>> {
  const reply = await nc.request(subject, new TextEncoder().encode(JSON.stringify(data)), { timeout: 5000 });
  return reply.json<RpcReply<T>>();
}
