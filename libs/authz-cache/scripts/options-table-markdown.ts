import { acceptedValues, AUTHZ_OPTION_TABLE, AuthzOptionSpec, defaultText } from '../src/config/authz-option-table';

/** The README markers the generated table sits between. */
export const TABLE_START = '<!-- options-table:start (generated from src/config/authz-option-table.ts: npm run docs:authz-options) -->';
export const TABLE_END = '<!-- options-table:end -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's option table, one row per entry of `AUTHZ_OPTION_TABLE`. */
export function renderOptionsTable(table: Record<string, AuthzOptionSpec> = AUTHZ_OPTION_TABLE): string {
  const lines = ['| option | env | default | accepted | cost | failure mode |', '| --- | --- | --- | --- | --- | --- |'];
  for (const [path, spec] of Object.entries(table)) {
    const env = spec.env === undefined ? '(none)' : `\`${spec.env}\``;
    lines.push(`| \`${path}\` | ${env} | ${cell(defaultText(spec))} | ${cell(acceptedValues(spec))} | ${cell(spec.cost)} | ${cell(spec.failure)} |`);
  }
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by the rendered table; throws when a marker is missing. */
export function withOptionsTable(readme: string, table = renderOptionsTable()): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README has no ${TABLE_START} ... ${TABLE_END} block`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
