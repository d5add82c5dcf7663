import { START_UP_HOOK_TIMEOUT_MS, waitFor } from '../support/wait';
import { createReaderRole, createUser, get, TestUser, waitHealthy } from './support/http';
import { TestSystem } from './support/system';

/*
 * Issue 4, acceptance 2: a revoked token gets 401 at every service; a
 * disabled principal gets 401 or 403 everywhere. Both with the consistency
 * token (at once) and without it (as soon as the event arrives).
 */
describe('revoked tokens and disabled principals (acceptance 2)', () => {
  let system: TestSystem;
  let role: string;
  const paths: Record<string, string> = { turing: '/v1/projects/7/routers', merlin: '/v1/projects/7/models' };

  beforeAll(async () => {
    system = await TestSystem.start({ turingReplicas: 2, merlinReplicas: 1 });
    await waitHealthy(system.services().map((s) => s.app.url));
    role = await createReaderRole(system.admin);
  }, START_UP_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await system?.dispose();
  });

  async function allowedEverywhere(user: TestUser): Promise<number> {
    const grant = await system.admin.createPolicy({ subjects: [user.principal], role, resources: ['projects:7:**'], effect: 'allow' });
    for (const s of system.services()) {
      expect(await get(s.app.url, paths[s.name], user.token, grant.revision)).toBe(200);
      // Twice: the second answer comes from the instance's caches (identity and decision).
      expect(await get(s.app.url, paths[s.name], user.token)).toBe(200);
    }
    return grant.revision;
  }

  it('a revoked token is refused with 401 at every service, with and without x-iam-revision', async () => {
    const withHeader = await createUser(system.admin, 'token-a');
    const withoutHeader = await createUser(system.admin, 'token-b');
    await allowedEverywhere(withHeader);
    await allowedEverywhere(withoutHeader);

    const revokedA = await system.admin.revokeToken(withHeader.tokenId);
    for (const s of system.services()) expect(await get(s.app.url, paths[s.name], withHeader.token, revokedA.revision)).toBe(401);

    await system.admin.revokeToken(withoutHeader.tokenId);
    for (const s of system.services()) {
      await waitFor(async () => (await get(s.app.url, paths[s.name], withoutHeader.token)) === 401, {
        timeoutMs: 5000,
        description: `${s.name} to answer 401 for the revoked token`,
      });
    }
  });

  it('a disabled principal is refused (401 or 403) at every service, with and without x-iam-revision', async () => {
    const withHeader = await createUser(system.admin, 'disabled-a');
    const withoutHeader = await createUser(system.admin, 'disabled-b');
    await allowedEverywhere(withHeader);
    await allowedEverywhere(withoutHeader);

    const disabled = await system.admin.disablePrincipal(withHeader.principal);
    for (const s of system.services()) expect([401, 403]).toContain(await get(s.app.url, paths[s.name], withHeader.token, disabled.revision));

    await system.admin.disablePrincipal(withoutHeader.principal);
    for (const s of system.services()) {
      await waitFor(async () => [401, 403].includes(await get(s.app.url, paths[s.name], withoutHeader.token)), {
        timeoutMs: 5000,
        description: `${s.name} to refuse the disabled principal`,
      });
    }
  });

  it('a request without a token, or with a malformed one, is 401 and never reaches the route', async () => {
    for (const s of system.services()) {
      expect(await get(s.app.url, paths[s.name], '')).toBe(401);
      expect(await get(s.app.url, paths[s.name], 'iam_0000000000000000_not-a-real-secret-not-a-real-secret-xxxxxxx')).toBe(401);
    }
  });
});
