import { performance } from 'node:perf_hooks';
import { REVISION_HEADER } from '@iam/contracts';
import type { AuthorityAdminClient } from '../../../apps/iamctl/src/clients/authority-admin-client';
import type { AppProcess } from '../../support/app-process';
import { statusOf } from '../../support/http';

/** The turing route every fault suite probes (routers.read on projects:42:routers). */
export const GUARDED_PATH = '/v1/projects/42/routers';

/**
 * A second route under the same grant (projects:43): a probe held off it
 * during a fault finds, after recovery, an entry nobody re-read meanwhile.
 */
export const IDLE_PATH = '/v1/projects/43/routers';

let serial = 0;

/**
 * A principal with a token and a reader role, whose grant on turing's
 * routers the suites add and remove: `grant()` binds the role on
 * `projects:42:**`, `revoke()` deletes that policy.
 */
export class Grantee {
  private policyId: string | undefined;
  /** Every revision this grantee's mutations committed (setup included). */
  readonly revisions: number[] = [];

  private constructor(
    private readonly admin: AuthorityAdminClient,
    readonly principal: string,
    readonly token: string,
    readonly role: string,
  ) {}

  /** Creates the principal, its token and a role with routers.read. */
  static async create(admin: AuthorityAdminClient, name: string): Promise<Grantee> {
    serial += 1;
    const principal = `user:${name}-${process.pid}-${serial}@example.com`;
    const role = `reader-${name}-${process.pid}-${serial}`;
    const created = await admin.createPrincipal(principal);
    const token = await admin.createToken(principal, 3600);
    const roleCreated = await admin.createRole(role, ['routers.read']);
    const grantee = new Grantee(admin, principal, token.token, role);
    grantee.revisions.push(created.revision, token.revision, roleCreated.revision);
    return grantee;
  }

  /** Binds the role (through `admin`: default the authority it was created at); resolves with the revision. */
  async grant(admin = this.admin): Promise<number> {
    const policy = await admin.createPolicy({ subjects: [this.principal], role: this.role, resources: ['projects:42:**', 'projects:43:**'], effect: 'allow' });
    this.policyId = policy.id;
    this.revisions.push(policy.revision);
    return policy.revision;
  }

  /** Deletes the policy (through `admin`); resolves with the revision and the time (performance.now()) the response arrived. */
  async revoke(admin = this.admin): Promise<{ revision: number; at: number }> {
    if (!this.policyId) throw new Error('revoke() before grant()');
    const deleted = await admin.deletePolicy(this.policyId);
    const at = performance.now();
    this.policyId = undefined;
    this.revisions.push(deleted.revision);
    return { revision: deleted.revision, at };
  }
}

/** GET the guarded route as `token` (optionally with a consistency token); resolves with the status. */
export async function getGuarded(app: AppProcess, token: string, revision?: number, path = GUARDED_PATH, timeoutMs = 10_000): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (revision !== undefined) headers[REVISION_HEADER] = String(revision);
  return statusOf(`${app.url}${path}`, headers, timeoutMs);
}

/**
 * Read-your-writes at every replica (with the grant's revision), then a read
 * without it, so that each replica holds the allow in its cache, on each of
 * `paths` (default both routes). Resolves with the statuses (all 200 when
 * the system works).
 */
export async function warm(apps: AppProcess[], grantee: Grantee, revision: number, paths = [GUARDED_PATH, IDLE_PATH]): Promise<number[]> {
  const statuses: number[] = [];
  for (const path of paths) {
    statuses.push(...(await Promise.all(apps.map((app) => getGuarded(app, grantee.token, revision, path)))));
    statuses.push(...(await Promise.all(apps.map((app) => getGuarded(app, grantee.token, undefined, path)))));
  }
  return statuses;
}

/** `warm` succeeded everywhere. */
export function allAllowed(statuses: number[]): boolean {
  return statuses.length > 0 && statuses.every((status) => status === 200);
}
