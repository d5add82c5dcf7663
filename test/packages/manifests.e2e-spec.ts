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

  it('uses the current NATS client (@nats-io/* 3.x, one nats-core) and never the legacy nats package', () => {
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest & { devDependencies?: Record<string, string> };
    const manifests = [root, ...LIBS.map(manifest)];
    for (const m of manifests) {
      expect({ name: m.name, legacy: m.dependencies?.nats ?? m.peerDependencies?.nats ?? root.devDependencies?.nats }).toEqual({ name: m.name, legacy: undefined });
      for (const [name, range] of Object.entries(m.dependencies ?? {})) if (name.startsWith('@nats-io/')) expect({ name, range }).toEqual({ name, range: expect.stringMatching(/^[~^]?3\./) });
    }
    // The lockfile: no legacy client anywhere in the tree, and a single @nats-io/nats-core (errors are the same classes everywhere).
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const paths = Object.keys(lock.packages);
    expect(paths.filter((path) => path === 'node_modules/nats' || path.endsWith('/node_modules/nats'))).toEqual([]);
    expect(paths.filter((path) => path.endsWith('node_modules/@nats-io/nats-core'))).toEqual(['node_modules/@nats-io/nats-core']);
    // And no source imports it.
    const sources = ['apps', 'libs', 'test', 'bench'].flatMap((dir) =>
      readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts') && !/(^|\/)(node_modules|dist)\//.test(file))
        .map((file) => join(REPO_ROOT, dir, file)),
    );
    expect(sources.length).toBeGreaterThan(100);
    const legacyImports = sources.filter((file) => importedPackages(readFileSync(file, 'utf8')).includes('nats'));
    expect(legacyImports).toEqual([]);
  });

  it('publishes @iam/contracts and @iam/authz-cache; keeps local-nats and service-kit private', () => {
    expect(LIBS.filter((lib) => !manifest(lib).private).map((lib) => manifest(lib).name)).toEqual(['@iam/contracts', '@iam/authz-cache']);
    expect(Object.keys(manifest('authz-cache').peerDependencies ?? {}).sort()).toEqual(['@nestjs/common', '@nestjs/core', '@nestjs/terminus', 'reflect-metadata', 'rxjs']);
    for (const lib of ['contracts', 'authz-cache']) {
      expect(manifest(lib).exports).toEqual({
        '.': { types: './dist/index.d.ts', require: './dist/index.js', default: './dist/index.js' },
        './package.json': './package.json',
      });
    }
  });
});
