import { resolve } from 'node:path';
import { ConfigError } from '@iam/service-kit';

/** Thrown for an invalid stack variable, naming it and the accepted values (code `CONFIG_INVALID`). */
export class StackConfigError extends ConfigError {
  override readonly name = 'StackConfigError';
}

/** Ports and locations of the one-process stack. */
export interface StackConfig {
  natsUrl: string;
  /** Whether NATS_URL was left to the default (then a local server may be started). */
  natsUrlIsDefault: boolean;
  authorityPort: number;
  turingPort: number;
  merlinPort: number;
  /** Root of the local data (`.data`): PGlite in `<root>/authority`, a started nats-server in `<root>/nats`. */
  dataRoot: string;
  adminToken: string;
  adminTokenIsDefault: boolean;
  serviceToken: string;
  /** The consumer services' cache-admin token (AUTHZ_ADMIN_TOKEN; dev default otherwise). */
  cacheAdminToken: string;
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) throw new StackConfigError(name, `"${raw}" is not a port; accepted: an integer from 0 to 65535 (default ${fallback})`);
  return value;
}

/**
 * `AUTHORITY_PORT` (3000), `TURING_PORT` (3001), `MERLIN_PORT` (3002): the
 * stack's own names, since the three apps share one environment and `PORT`
 * would be ambiguous. `IAM_DATA_ROOT` (default `./.data`), NATS_URL and the
 * tokens as every app reads them.
 */
export function stackConfigFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): StackConfig {
  const natsUrl = env.NATS_URL?.trim() || DEFAULT_NATS_URL;
  const adminToken = env.IAM_ADMIN_TOKEN?.trim();
  const serviceToken = env.IAM_SERVICE_TOKEN?.trim();
  return {
    natsUrl,
    natsUrlIsDefault: natsUrl === DEFAULT_NATS_URL,
    authorityPort: port(env, 'AUTHORITY_PORT', 3000),
    turingPort: port(env, 'TURING_PORT', 3001),
    merlinPort: port(env, 'MERLIN_PORT', 3002),
    dataRoot: resolve(cwd, env.IAM_DATA_ROOT?.trim() || '.data'),
    adminToken: adminToken || 'dev-admin-token',
    adminTokenIsDefault: !adminToken,
    serviceToken: serviceToken || 'dev-service-token',
    cacheAdminToken: env.AUTHZ_ADMIN_TOKEN?.trim() || 'dev-cache-admin-token',
  };
}
