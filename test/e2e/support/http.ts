import { REVISION_HEADER } from '@iam/contracts';
import { httpJson } from '../../../apps/iamctl/src/clients/http-json';
import type { AuthorityAdminClient } from '../../../apps/iamctl/src/clients/authority-admin-client';
import { waitFor } from '../../support/wait';

/** GET a guarded path as `token`, optionally with a consistency token; resolves with the status. */
export async function get(base: string, path: string, token: string, revision?: number): Promise<number> {
  const headers: Record<string, string> = revision === undefined ? {} : { [REVISION_HEADER]: String(revision) };
  const answer = await httpJson(`${base}${path}`, { token, headers });
  return answer.status;
}

/** Waits until every service's /health answers 200 (subscription live). */
export async function waitHealthy(urls: string[]): Promise<void> {
  await Promise.all(
    urls.map((url) =>
      waitFor(async () => (await httpJson(`${url}/health`)).status === 200, { timeoutMs: 20_000, description: `${url}/health to be 200` }),
    ),
  );
}

/** A principal with a token, and a role, created at the authority. */
export interface TestUser {
  principal: string;
  token: string;
  tokenId: string;
}

let serial = 0;

/** Creates `user:<name>-<n>@example.com` with a token (no permissions yet). */
export async function createUser(admin: AuthorityAdminClient, name: string): Promise<TestUser> {
  serial++;
  const principal = `user:${name}-${process.pid}-${serial}@example.com`;
  await admin.createPrincipal(principal);
  const token = await admin.createToken(principal, 3600);
  return { principal, token: token.token, tokenId: token.tokenId };
}

/** A role with the read actions of both services. */
export async function createReaderRole(admin: AuthorityAdminClient, id = `reader-${process.pid}-${++serial}`): Promise<string> {
  await admin.createRole(id, ['routers.read', 'models.read', 'experiments.read']);
  return id;
}

/** Percentile of a sorted copy of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
