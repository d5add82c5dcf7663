import { randomBytes } from 'node:crypto';
import { AuthorityAdminClient } from '../clients/authority-admin-client';
import type { DemoOptions } from './demo-options';
import { DenialObservation, probe, ProbeAnswer, pollUntilDenied, ServiceProbe, waitHealthy } from './probes';

/** What the demo measured (also printed). */
export interface DemoResult {
  principal: string;
  /** Revoke response -> first 403 without the consistency token, per service. */
  denials: DenialObservation[];
  /** First request with `x-iam-revision` after the second revoke, per service. */
  withRevision: Array<{ service: string; status: number; ms: number }>;
}

/** Thrown when the stack did not behave as the demo expects (exit code 1). */
export class DemoFailure extends Error {
  override readonly name = 'DemoFailure';
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

/**
 * The scenario of `npm run demo`: a newcomer reads it top to bottom.
 * Grant, allowed at both services, revoke, denied at both with the time it
 * took; then the same with the consistency token, denied on the first request.
 */
export async function runDemo(options: DemoOptions, write: (line: string) => void): Promise<DemoResult> {
  const say = (text = '') => write(`${text}\n`);
  const authority = new AuthorityAdminClient(options.authorityUrl, options.adminToken);
  const suffix = randomBytes(3).toString('hex');
  const principal = `user:demo-${suffix}@example.com`;
  const role = `demo-reader-${suffix}`;
  const resources = [`projects:${options.project}:**`];
  const services: ServiceProbe[] = [
    { name: 'turing', url: `${options.turingUrl}/v1/projects/${options.project}/routers` },
    { name: 'merlin', url: `${options.merlinUrl}/v1/projects/${options.project}/models` },
  ];
  const expectStatus = (service: string, answer: ProbeAnswer, status: number, what: string) => {
    if (answer.status !== status) throw new DemoFailure(`${service}: expected ${status} ${what}, got ${answer.status} ${answer.code ?? ''}`.trim());
  };

  say('IAM cache invalidation demo');
  say(`  authority ${options.authorityUrl}   turing ${options.turingUrl}   merlin ${options.merlinUrl}`);
  say();

  say('1. Waiting for the services (health = invalidation subscription live)');
  await Promise.all([options.authorityUrl, options.turingUrl, options.merlinUrl].map((url) => waitHealthy(url, options.readyTimeoutMs)));
  say('   authority, turing and merlin are ready');

  const created = await authority.createPrincipal(principal, 'Demo user');
  say(`2. Created principal ${principal}                       (revision ${created.revision})`);
  const createdRole = await authority.createRole(role, ['routers.read', 'models.read']);
  say(`3. Created role ${role} = routers.read, models.read      (revision ${createdRole.revision})`);
  const token = await authority.createToken(principal, 3600);
  say(`4. Created an API token ${token.tokenId} for it (secret shown once, not printed here)`);

  let grant = await authority.createPolicy({ subjects: [principal], role, resources, effect: 'allow' });
  say(`5. Granted ${role} on ${resources[0]}: policy ${grant.id}        (revision ${grant.revision})`);

  say('6. Requests as the demo user (warming both caches):');
  for (const service of services) {
    const answer = await probe(service, token.token, grant.revision);
    expectStatus(service.name, answer, 200, 'after the grant');
    const again = await probe(service, token.token);
    expectStatus(service.name, again, 200, 'on the second request');
    say(`   GET ${service.url.replace(/^https?:\/\/[^/]+/, '')} at ${service.name}: ${answer.status} allowed (then ${fmt(again.ms)} from its cache)`);
  }

  let revoked = await authority.deletePolicy(grant.id);
  let since = performance.now();
  say(`7. Revoked: deleted policy ${grant.id}                   (revision ${revoked.revision})`);
  say('8. Polling both services WITHOUT x-iam-revision until they deny:');
  const denials = await Promise.all(services.map((service) => pollUntilDenied(service, token.token, since, options.denyTimeoutMs)));
  for (const denial of denials) {
    const before = denial.allowedBefore === 0 ? 'the first request was already denied' : `${denial.allowedBefore} request(s) still allowed before the event arrived`;
    say(`   ${denial.service}: 403 after ${fmt(denial.ms)} (${before})`);
  }

  grant = await authority.createPolicy({ subjects: [principal], role, resources, effect: 'allow' });
  say(`9. Granted again: policy ${grant.id}                     (revision ${grant.revision})`);
  for (const service of services) {
    const answer = await probe(service, token.token, grant.revision);
    expectStatus(service.name, answer, 200, 'with the grant revision (read-your-writes)');
    say(`   ${service.name} with x-iam-revision: ${grant.revision}: 200 allowed in ${fmt(answer.ms)}`);
  }

  revoked = await authority.deletePolicy(grant.id);
  since = performance.now();
  say(`10. Revoked again                                         (revision ${revoked.revision})`);
  say(`    First request WITH x-iam-revision: ${revoked.revision} at each service:`);
  const withRevision = await Promise.all(
    services.map(async (service) => {
      const answer = await probe(service, token.token, revoked.revision);
      expectStatus(service.name, answer, 403, `on the first request carrying x-iam-revision ${revoked.revision}`);
      return { service: service.name, status: answer.status, ms: performance.now() - since };
    }),
  );
  for (const seen of withRevision) say(`    ${seen.service}: 403 denied ${fmt(seen.ms)} after the revoke response`);

  await authority.deleteRole(role).catch(() => undefined);
  await authority.deletePrincipal(principal).catch(() => undefined);
  say(`11. Cleaned up: role and principal deleted (the token died with the principal)`);
  say();
  const summary = denials.map((d) => `${d.service} ${fmt(d.ms)}`).join(', ');
  say(`Demo passed. Revoke -> first denial without the header: ${summary}; with the header: denied on the first request.`);
  return { principal, denials, withRevision };
}
