import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withOptionsTable } from './options-table-markdown';

/*
 * Rewrites the option table of libs/authz-cache/README.md from
 * AUTHZ_OPTION_TABLE (`npm run docs:authz-options`). The unit test
 * authz-option-table.spec.ts fails while the README is out of date.
 */
// Compiled to dist/authz-cache-scripts/libs/authz-cache/scripts/: five levels below the repository.
const readmePath = join(__dirname, '..', '..', '..', '..', '..', 'libs', 'authz-cache', 'README.md');
const before = readFileSync(readmePath, 'utf8');
const after = withOptionsTable(before);
if (after === before) {
  console.log('libs/authz-cache/README.md: option table already up to date');
} else {
  writeFileSync(readmePath, after);
  console.log('libs/authz-cache/README.md: option table rewritten');
}
