import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useAuthoritySuite } from '../authority/authority-harness';

jest.setTimeout(60_000);

describe('the authority serves its OpenAPI document', () => {
  const suite = useAuthoritySuite('pglite');

  it('at /docs-json (the committed docs/openapi.json) and the UI at /docs, without a token', async () => {
    const json = await fetch(`${suite.authority.url}/docs-json`);
    expect(json.status).toBe(200);
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as unknown;
    expect(await json.json()).toEqual(committed);

    const ui = await fetch(`${suite.authority.url}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ui.text()).toMatch(/swagger-ui/i);

    // The API itself still wants its token.
    expect((await fetch(`${suite.authority.url}/v1/principals`)).status).toBe(401);
  });
});
