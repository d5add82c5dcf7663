import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderAsyncApiYaml } from './asyncapi-document';

/*
 * `npm run docs:asyncapi`: writes docs/asyncapi.yaml from the contract's
 * schemas. `--check` writes nothing and exits 1 when the committed file is
 * out of date (the unit test does the same).
 */

/** Where the document lives, from the repository root. */
export const ASYNCAPI_PATH = 'docs/asyncapi.yaml';

function main(argv: string[]): number {
  const path = resolve(process.cwd(), ASYNCAPI_PATH);
  const generated = renderAsyncApiYaml();
  if (argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(path, 'utf8');
    } catch {
      // missing: out of date
    }
    if (committed === generated) return 0;
    process.stderr.write(`${ASYNCAPI_PATH} is out of date: run npm run docs:asyncapi\n`);
    return 1;
  }
  writeFileSync(path, generated);
  process.stdout.write(`wrote ${ASYNCAPI_PATH}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
