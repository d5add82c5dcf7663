import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The repository carries its own architecture document and cites only it:
 * every `docs/architecture.md#anchor` in the sources, configs and READMEs
 * names a heading that exists, and nothing cites a design document the
 * repository does not hold.
 */
const ROOT = join(__dirname, '..', '..');

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => /\.(ts|js|md|ya?ml|conf|json)$/.test(file) && !file.startsWith('docs/asyncapi') && file !== 'package-lock.json');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(match[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  }
  return anchors;
}

describe('docs/architecture.md is the design the code cites', () => {
  const self = 'test/docs/architecture-citations.e2e-spec.ts';
  const files = trackedFiles().filter((file) => file !== self);
  const anchors = anchorsOf(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));

  it('every cited anchor exists', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const match of text.matchAll(/architecture\.md#([\w-]+)/g)) if (!anchors.has(match[1])) broken.push(`${file}: #${match[1]}`);
    }
    expect(broken).toEqual([]);
  });

  it('nothing cites DESIGN.md', () => {
    const citing = files.filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('DESIGN.md'));
    expect(citing).toEqual([]);
  });
});
