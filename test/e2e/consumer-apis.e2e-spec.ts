import { REVISION_HEADER } from '@iam/contracts';
import { httpJson } from '../../apps/iamctl/src/clients/http-json';
import { createUser, TestUser, waitHealthy } from './support/http';
import { TestSystem } from './support/system';
import { START_UP_HOOK_TIMEOUT_MS } from '../support/wait';

/*
 * turing's and merlin's own APIs through the real guard: each route asks
 * for its action on its resource (template filled from the route), DTOs
 * are validated (400 naming the field), missing rows are 404.
 */
describe('turing and merlin APIs behind @RequirePermission', () => {
  let system: TestSystem;
  let editor: TestUser;
  let revision: number;

  beforeAll(async () => {
    system = await TestSystem.start({ turingReplicas: 1, merlinReplicas: 1 });
    await waitHealthy(system.services().map((s) => s.app.url));
    editor = await createUser(system.admin, 'editor');
    await system.admin.createRole(`editor-${process.pid}`, ['routers.read', 'routers.write', 'experiments.*', 'models.read', 'models.write']);
    revision = (await system.admin.createPolicy({ subjects: [editor.principal], role: `editor-${process.pid}`, resources: ['projects:42:**'], effect: 'allow' }))
      .revision;
  }, START_UP_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await system?.dispose();
  });

  const call = <T = Record<string, unknown>>(base: string, method: string, path: string, body?: unknown, token = editor.token) =>
    httpJson<T>(`${base}${path}`, { method, token, body, headers: { [REVISION_HEADER]: String(revision) } });

  it('turing: router and experiment CRUD with the matching actions', async () => {
    const turing = system.turing[0].url;
    const created = await call<{ id: string; createdBy: string }>(turing, 'POST', '/v1/projects/42/routers', { name: 'checkout', environment: 'production' });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe(editor.principal);
    const id = created.body.id;
    expect((await call(turing, 'GET', `/v1/projects/42/routers/${id}`)).status).toBe(200);
    expect((await call<unknown[]>(turing, 'GET', '/v1/projects/42/routers')).body).toHaveLength(1);
    expect((await call(turing, 'PUT', `/v1/projects/42/routers/${id}`, { description: 'v2' })).body).toMatchObject({ description: 'v2', name: 'checkout' });

    const experiment = await call<{ id: string }>(turing, 'POST', `/v1/projects/42/routers/${id}/experiments`, {
      name: 'price-test',
      variants: [
        { name: 'control', weight: 50 },
        { name: 'treatment', weight: 50 },
      ],
    });
    expect(experiment.status).toBe(201);
    expect((await call(turing, 'GET', `/v1/projects/42/routers/${id}/experiments/${experiment.body.id}`)).status).toBe(200);
    expect((await call(turing, 'DELETE', `/v1/projects/42/routers/${id}/experiments/${experiment.body.id}`)).status).toBe(200);

    // routers.delete is not in the role: the guard refuses before the route runs.
    const refused = await call(turing, 'DELETE', `/v1/projects/42/routers/${id}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    // Another project: no permission at all.
    expect((await call(turing, 'GET', '/v1/projects/43/routers')).status).toBe(403);
  });

  it('turing: 400 naming the field, 404 for a missing router', async () => {
    const turing = system.turing[0].url;
    const bad = await call(turing, 'POST', '/v1/projects/42/routers', { name: 'Not Valid!' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST', field: 'name' });
    const unknown = await call(turing, 'POST', '/v1/projects/42/routers', { name: 'ok', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ field: 'colour' });
    const nested = await call(turing, 'POST', '/v1/projects/42/routers/1/experiments', { name: 'x', variants: [{ name: 'a', weight: 101 }] });
    expect(nested.status).toBe(400);
    expect(nested.body).toMatchObject({ field: 'variants.0.weight' });
    expect((await call(turing, 'GET', '/v1/projects/42/routers/999')).status).toBe(404);
  });

  it('merlin: models and versions; deploying needs models.deploy', async () => {
    const merlin = system.merlin[0].url;
    const model = await call<{ id: string }>(merlin, 'POST', '/v1/projects/42/models', { name: 'churn', type: 'sklearn' });
    expect(model.status).toBe(201);
    const version = await call<{ version: number }>(merlin, 'POST', `/v1/projects/42/models/${model.body.id}/versions`, { artifactUri: 'gs://models/churn/1' });
    expect(version.status).toBe(201);
    expect(version.body.version).toBe(1);
    expect((await call<unknown[]>(merlin, 'GET', `/v1/projects/42/models/${model.body.id}/versions`)).body).toHaveLength(1);
    expect((await call(merlin, 'POST', `/v1/projects/42/models/${model.body.id}/versions/1/deploy`, {})).status).toBe(403);

    const deployPolicy = await system.admin.createPolicy({ subjects: [editor.principal], actions: ['models.deploy'], resources: ['projects:42:models:*:versions:*'], effect: 'allow' });
    const deployed = await httpJson<{ deployment: { environment: string } }>(`${merlin}/v1/projects/42/models/${model.body.id}/versions/1/deploy`, {
      method: 'POST',
      token: editor.token,
      body: { environment: 'production' },
      headers: { [REVISION_HEADER]: String(deployPolicy.revision) },
    });
    expect(deployed.status).toBe(201);
    expect(deployed.body.deployment.environment).toBe('production');
    const badType = await call(merlin, 'POST', '/v1/projects/42/models', { name: 'x', type: 'excel' });
    expect(badType.body).toMatchObject({ code: 'INVALID_REQUEST', field: 'type' });
    expect((await call(merlin, 'DELETE', `/v1/projects/42/models/${model.body.id}`)).status).toBe(200);
    expect((await call(merlin, 'GET', `/v1/projects/42/models/${model.body.id}`)).status).toBe(404);
  });

  it('exposes the cache module endpoints: /health, /metrics, admin stats behind the admin token', async () => {
    for (const { app } of system.services()) {
      expect((await httpJson(`${app.url}/health`)).status).toBe(200);
      const metrics = await fetch(`${app.url}/metrics`);
      expect(await metrics.text()).toContain('authz_cache_');
      expect((await httpJson(`${app.url}/admin/cache/stats`)).status).toBe(401);
      expect([401, 403]).toContain((await httpJson(`${app.url}/admin/cache/stats`, { token: editor.token })).status);
    }
  });
});
