import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOptionsTable, TABLE_END, TABLE_START, withOptionsTable } from '../../scripts/options-table-markdown';
import { AUTHZ_DEFAULTS, AUTHZ_OPTION_TABLE, AuthzOptionSpec } from './authz-option-table';

const rows = Object.entries(AUTHZ_OPTION_TABLE as Record<string, AuthzOptionSpec>);

describe('AUTHZ_OPTION_TABLE', () => {
  it('is what libs/authz-cache/README.md shows (else run `npm run docs:authz-options`)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const shown = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
    expect(shown).toBe(renderOptionsTable());
  });

  it('renders a changed row into the README block, and refuses a README without the markers', () => {
    const readme = `intro\n${TABLE_START}\nold table\n${TABLE_END}\noutro`;
    const changed = { maxDecisions: { ...AUTHZ_OPTION_TABLE.maxDecisions, default: 7, cost: 'a | b' } };
    const rewritten = withOptionsTable(readme, renderOptionsTable(changed));
    expect(rewritten).toContain('| `maxDecisions` | `AUTHZ_MAX_DECISIONS` | 7 | an integer >= 1 | a \\| b |');
    expect(rewritten.startsWith('intro\n')).toBe(true);
    expect(rewritten.endsWith(`${TABLE_END}\noutro`)).toBe(true);
    expect(rewritten).not.toContain('old table');
    expect(() => withOptionsTable('no markers')).toThrow(/options-table:start/);
  });

  it.each(rows.filter(([, spec]) => spec.type === 'integer'))('%s: a range that holds its default', (_path, spec) => {
    expect(Number.isSafeInteger(spec.min)).toBe(true);
    if (spec.max !== undefined) expect(spec.max).toBeGreaterThanOrEqual(spec.min as number);
    if (typeof spec.default === 'number') {
      expect(spec.default).toBeGreaterThanOrEqual(spec.min as number);
      expect(spec.default).toBeLessThanOrEqual(spec.max ?? Number.MAX_SAFE_INTEGER);
    }
  });

  it.each(rows.filter(([, spec]) => spec.type === 'choice'))('%s: its default is one of its choices', (_path, spec) => {
    expect(spec.choices).toContain(spec.default);
  });

  it('names each environment variable once, and documents cost and failure mode of every option', () => {
    const names = rows.flatMap(([, spec]) => (spec.env === undefined ? [] : [spec.env]));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    for (const [, spec] of rows) {
      expect(spec.cost.length).toBeGreaterThan(0);
      expect(spec.failure.length).toBeGreaterThan(0);
      if (spec.type === 'custom') expect(spec.accepted).toBeDefined();
    }
  });

  it('gives AUTHZ_DEFAULTS every plain default, keyed by the last path segment', () => {
    expect(AUTHZ_DEFAULTS).toMatchObject({ timeoutMs: 2000, transport: 'nats', maxDecisions: 100_000, maxTagRevisions: 100_000, degradedPolicy: 'bounded', enabled: true });
    expect(AUTHZ_DEFAULTS).not.toHaveProperty('negativeTtlMs'); // derived from softTtlMs
    expect(Object.isFrozen(AUTHZ_DEFAULTS)).toBe(true);
  });
});
