import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAuthority } from '../../apps/iam-authority/src/bootstrap';
import { startMerlin } from '../../apps/merlin/src/bootstrap';
import { startTuring } from '../../apps/turing/src/bootstrap';

const ROOT = join(__dirname, '..', '..');
// js-yaml resolves YAML anchors and merge keys (`<<`) as docker compose does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parseYaml = (require('js-yaml') as { load(text: string): unknown }).load;
const LONG = (c: string) => c.repeat(32);

/*
 * Issue 9, secrets per role: outside dev mode a missing or short token stops
 * start-up with an error naming the variable; no consumer service is ever
 * configured with the authority's admin token.
 */
describe('secrets per role', () => {
  it.each([
    ['the authority without admin tokens', () => startAuthority({ PORT: '0', IAM_SERVICE_TOKEN: LONG('s') }), 'IAM_ADMIN_TOKEN'],
    ['the authority with a short admin token', () => startAuthority({ PORT: '0', IAM_ADMIN_TOKENS: 'alice:short', IAM_SERVICE_TOKEN: LONG('s') }), 'IAM_ADMIN_TOKENS'],
    ['the authority without a service token', () => startAuthority({ PORT: '0', IAM_ADMIN_TOKENS: `alice:${LONG('a')}` }), 'IAM_SERVICE_TOKEN'],
    ['turing without a service token', () => startTuring({ PORT: '0', AUTHZ_ADMIN_TOKEN: LONG('c') }), 'IAM_SERVICE_TOKEN'],
    ['merlin without a cache-admin token', () => startMerlin({ PORT: '0', IAM_SERVICE_TOKEN: LONG('s') }), 'AUTHZ_ADMIN_TOKEN'],
    ['turing holding the authority admin token', () => startTuring({ PORT: '0', IAM_SERVICE_TOKEN: LONG('s'), AUTHZ_ADMIN_TOKEN: LONG('c'), IAM_ADMIN_TOKEN: LONG('a') }), 'IAM_ADMIN_TOKEN'],
  ])('refuses to start %s outside dev mode, naming %s', async (_what, start, variable) => {
    await expect(start()).rejects.toThrow(variable);
  });

  it('finds no consumer service with the authority admin token in docker-compose.yml, README or npm start', () => {
    // Anchors and merge keys resolved: what each container really gets.
    const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string> }> };
    const consumers = Object.entries(compose.services).filter(([, service]) => ['turing', 'merlin'].includes(String(service.environment?.SERVICE_NAME)));
    expect(consumers.map(([name]) => name).sort()).toEqual(['merlin', 'turing', 'turing-2']);
    for (const [, service] of consumers) {
      const names = Object.keys(service.environment ?? {});
      expect(names).not.toContain('IAM_ADMIN_TOKEN');
      expect(names).not.toContain('IAM_ADMIN_TOKENS');
      expect(names).toContain('AUTHZ_ADMIN_TOKEN');
    }
    const cacheAdminTokens = new Set(consumers.map(([, service]) => service.environment?.AUTHZ_ADMIN_TOKEN));
    expect(cacheAdminTokens.has(compose.services.authority.environment?.IAM_ADMIN_TOKENS)).toBe(false);
    expect(Object.keys(compose.services.authority.environment ?? {})).toContain('IAM_ADMIN_TOKENS');

    // README: the lines that configure turing or merlin never set the authority's admin token.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const consumerLines = readme.split('\n').filter((line) => /start:(turing|merlin)|SERVICE_NAME=(turing|merlin)/.test(line));
    expect(consumerLines.length).toBeGreaterThan(0);
    for (const line of consumerLines) expect(line).not.toMatch(/IAM_ADMIN_TOKENS?=/);

    // npm start hands the consumers AUTHZ_ADMIN_TOKEN and strips the admin token from their environment.
    const stack = readFileSync(join(ROOT, 'apps', 'stack', 'src', 'stack.ts'), 'utf8');
    expect(stack).toContain('delete common.IAM_ADMIN_TOKEN');
    expect(stack).toContain('AUTHZ_ADMIN_TOKEN: config.cacheAdminToken');
  });
});
