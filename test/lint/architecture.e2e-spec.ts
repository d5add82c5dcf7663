import { join, relative } from 'node:path';
import { ESLint } from 'eslint';

/*
 * `npm run lint` enforces the architecture (tools/eslint/architecture.js).
 * The fixture under tools/eslint/fixtures/violations breaks each rule once;
 * this test proves every break is reported, and nothing else.
 */
const FIXTURE = join(__dirname, '..', '..', 'tools', 'eslint', 'fixtures', 'violations');

describe('npm run lint enforces the architecture', () => {
  it('reports a cycle, a lib importing an app and deep imports behind a lib face', async () => {
    const eslint = new ESLint({ cwd: FIXTURE, overrideConfigFile: join(FIXTURE, 'eslint.config.js') });
    const results = await eslint.lintFiles(['.']);
    const found = results
      .flatMap((result) => result.messages.map((message) => `${relative(FIXTURE, result.filePath)} ${message.ruleId}`))
      .sort();
    expect(found).toEqual(
      [
        'apps/one/src/deep-alias.ts no-restricted-imports',
        'apps/one/src/deep-relative.ts import-x/no-restricted-paths',
        'libs/alpha/src/first.ts import-x/no-cycle',
        'libs/alpha/src/second.ts import-x/no-cycle',
        'libs/alpha/src/uses-app.ts import-x/no-restricted-paths',
      ].sort(),
    );
  });

  it('finds nothing to report in the repository itself', async () => {
    const root = join(__dirname, '..', '..');
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(['apps', 'libs']);
    const errors = results.flatMap((result) => result.messages.filter((m) => m.severity === 2).map((m) => `${relative(root, result.filePath)}:${m.line} ${m.ruleId} ${m.message}`));
    expect(errors).toEqual([]);
  }, 120_000);
});
