import { join } from 'node:path';
import { RunningAuthority, startAuthority } from '../../apps/iam-authority/src/bootstrap';
import { AppProcess, AppProcessSpec } from './app-process';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from './credentials';
import { TestDatabase } from './database';
import { NatsTestServer } from './nats-server';

/*
 * The one way tests and benches start the authority: in this process
 * (through its bootstrap function) or as the compiled app in a child
 * process (to SIGKILL, SIGSTOP and restart it), with the test credentials.
 */

/** The compiled authority (built by the integration project's globalSetup). */
export const AUTHORITY_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'iam-authority', 'src', 'main.js');

/** How the compiled authority is started and recognised as listening. */
export const AUTHORITY_PROCESS: AppProcessSpec = {
  main: AUTHORITY_MAIN,
  listening: /IAM authority listening on (http:\/\/127\.0\.0\.1:\d+)/,
  name: 'the authority',
  // A first PGlite open on two busy cores: over 30 s at load 14 (as the fault suites allow).
  startTimeoutMs: 90_000,
};

/**
 * Where the authority finds NATS: a test server (on an auth server it logs
 * in as 'authority') or a NATS_URL as is (e.g. a cluster's comma-separated list).
 */
export type AuthorityNats = NatsTestServer | string;

/** Options of {@link authorityEnv} and {@link startTestAuthority}. */
export interface TestAuthorityOptions {
  /** Extra environment, applied last (it overrides the defaults). */
  env?: Record<string, string>;
  /** IAM_DEV_MODE=1. Default true; false runs the production checks (the fault suites). */
  devMode?: boolean;
}

/** {@link startTestAuthority} in this process (the default). */
export interface InProcessAuthorityOptions extends TestAuthorityOptions {
  childProcess?: false;
}

/** {@link startTestAuthority} as a child process. */
export interface ChildAuthorityOptions extends TestAuthorityOptions {
  childProcess: true;
  /** The compiled entry point to run. Default {@link AUTHORITY_MAIN}. */
  main?: string;
  /** How long to wait for it to listen. Default: {@link AppProcess.launch}'s. */
  startTimeoutMs?: number;
}

/**
 * The environment of an authority against `nats` and `db`: a free loopback
 * HTTP port, the test admin and service tokens, dev mode unless told
 * otherwise, then `options.env`.
 */
export function authorityEnv(nats: AuthorityNats, db: TestDatabase, options: TestAuthorityOptions = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    ...(options.devMode ?? true ? { IAM_DEV_MODE: '1' } : {}),
    ...(typeof nats === 'string' ? { NATS_URL: nats } : nats.env('authority')),
    ...db.env,
    IAM_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    IAM_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    ...options.env,
  };
}

/**
 * Starts an authority against `nats` and `db` and waits until it listens:
 * in this process by default, or with `childProcess: true` as the compiled
 * app (exactly {@link authorityEnv}, plus PATH and HOME). The caller stops it
 * (`close()` / `stop()`) in afterAll or finally.
 */
export function startTestAuthority(nats: AuthorityNats, db: TestDatabase, options?: InProcessAuthorityOptions): Promise<RunningAuthority>;
export function startTestAuthority(nats: AuthorityNats, db: TestDatabase, options: ChildAuthorityOptions): Promise<AppProcess>;
export function startTestAuthority(
  nats: AuthorityNats,
  db: TestDatabase,
  options: InProcessAuthorityOptions | ChildAuthorityOptions = {},
): Promise<RunningAuthority | AppProcess> {
  const env = authorityEnv(nats, db, options);
  if (!options.childProcess) return startAuthority(env);
  const spec: AppProcessSpec = {
    ...AUTHORITY_PROCESS,
    ...(options.main === undefined ? {} : { main: options.main }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  };
  return AppProcess.launch(spec, env);
}
