import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from './support/outside-app';

/*
 * Each lib's package.json declares what its published code imports (a
 * dependency left in the root package.json works here and breaks every
 * outside install), and Nest stays a peer. Reads the sources, so it fails
 * the moment someone adds an import without the dependency.
 */

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

const LIBS = ['contracts', 'authz-cache', 'local-nats', 'service-kit'];
/** Not compiled into the package: specs, type-level checks, test helpers. */
const NOT_SHIPPED = /(\.spec\.ts|\.int-spec\.ts|\.check\.ts)$|\/testing\//;

function manifest(lib: string): Manifest {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'libs', lib, 'package.json'), 'utf8')) as Manifest;
}

function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !NOT_SHIPPED.test(file));
}

/** Package names a source imports or requires (relative paths and node builtins left out). */
function importedPackages(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:from|import|require\()\s*\(?\s*'([^'.][^']*)'/g)].map((m) => m[1]);
  return specifiers
    .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

describe('the libs’ package manifests', () => {
  it.each(LIBS)('@iam/%s declares every package its shipped code imports', (lib) => {
    const declared = new Set([...Object.keys(manifest(lib).dependencies ?? {}), ...Object.keys(manifest(lib).peerDependencies ?? {})]);
    const undeclared = new Set<string>();
    for (const file of shippedSources(join(REPO_ROOT, 'libs', lib, 'src'))) {
      for (const name of importedPackages(readFileSync(file, 'utf8'))) if (!declared.has(name)) undeclared.add(`${name} (${file.slice(REPO_ROOT.length + 1)})`);
    }
    expect([...undeclared]).toEqual([]);
  });

  it.each(LIBS)('@iam/%s takes @nestjs/*, reflect-metadata and rxjs as peers, never as its own dependencies', (lib) => {
    const dependencies = Object.keys(manifest(lib).dependencies ?? {});
    expect(dependencies.filter((name) => name.startsWith('@nestjs/') || name === 'reflect-metadata' || name === 'rxjs')).toEqual([]);
    for (const [name, range] of Object.entries(manifest(lib).peerDependencies ?? {})) {
      if (name === '@nestjs/common' || name === '@nestjs/core') expect(range).toBe('^11.0.0 || ^12.0.0');
    }
  });

  it('publishes @iam/contracts and @iam/authz-cache; keeps local-nats and service-kit private', () => {
    expect(LIBS.filter((lib) => !manifest(lib).private).map((lib) => manifest(lib).name)).toEqual(['@iam/contracts', '@iam/authz-cache']);
    expect(Object.keys(manifest('authz-cache').peerDependencies ?? {}).sort()).toEqual(['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs']);
    for (const lib of ['contracts', 'authz-cache']) {
      expect(manifest(lib).exports).toEqual({
        '.': { types: './dist/index.d.ts', require: './dist/index.js', default: './dist/index.js' },
        './package.json': './package.json',
      });
    }
  });
});
