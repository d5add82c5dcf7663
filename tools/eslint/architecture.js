// @ts-check
'use strict';
/*
 * The architecture, enforced by `npm run lint`:
 * - a lib never imports an app, nor test code (its own specs may use the
 *   shared test helpers in test/support);
 * - everything outside a lib (apps, other libs) imports it only through its
 *   package face, `libs/<name>/src/index.ts` (`@iam/<name>`), never a file behind it;
 * - no import cycle anywhere (import-x's no-cycle follows value imports;
 *   `import type` edges are erased at compile time and not counted).
 * Exported as a function of the root so that the lint fixtures
 * (tools/eslint/fixtures) can prove each rule fails on a violation.
 */
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const importX = require('eslint-plugin-import-x');
const { createTypeScriptImportResolver } = require('eslint-import-resolver-typescript');

/**
 * @param {string} root repository (or fixture) root holding apps/, libs/, test/
 * @param {string} tsconfig tsconfig whose `paths` map @iam/* to the libs
 */
function architectureConfig(root, tsconfig) {
  const libs = existsSync(join(root, 'libs')) ? readdirSync(join(root, 'libs'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  const faceOnly = libs.map((lib) => ({
    target: ['./apps', ...libs.filter((other) => other !== lib).map((other) => `./libs/${other}`)],
    from: `./libs/${lib}`,
    except: ['./src/index.ts'],
    message: `import @iam/${lib} through its package face (libs/${lib}/src/index.ts), not a file behind it`,
  }));
  const zones = [{ target: './libs', from: './apps', message: 'a lib never imports an app' }, ...faceOnly];
  const specs = ['**/*.spec.ts', '**/*.int-spec.ts'];
  const rules = (/** @type {object[]} */ extraZones) => ({
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
    'import-x/no-restricted-paths': ['error', { basePath: root, zones: [...zones, ...extraZones] }],
    'no-restricted-imports': ['error', { patterns: [{ group: ['@iam/*/**'], message: 'import a lib through its package face (@iam/<name>)' }] }],
  });
  const common = {
    plugins: { 'import-x': importX },
    settings: {
      // How import-x parses the files an import leads to (no-cycle walks them); without it, cycles go unseen.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: tsconfig })],
    },
  };
  return [
    { ...common, files: ['apps/**/*.ts', 'libs/**/*.ts'], ignores: specs, rules: rules([{ target: './libs', from: './test', message: 'a lib never imports test code' }]) },
    { ...common, files: specs.map((glob) => glob.replace('**/', '{apps,libs}/**/')), rules: rules([]) },
  ];
}

module.exports = { architectureConfig };
