#!/usr/bin/env node
/*
 * Rewrites tools/jest/suite-durations.json (read by sequencer.js) from a
 * `jest --json --outputFile=FILE` result: each suite's wall time in ms,
 * keyed by its repository-relative path. Usage:
 *   node tools/jest/record-durations.js /tmp/jest-results.json
 * Suites missing from the result keep their old figure while their file
 * exists; a deleted suite's figure is dropped.
 */
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

const input = process.argv[2];
if (!input) {
  console.error('usage: node tools/jest/record-durations.js <jest --json output>');
  process.exit(2);
}
const root = join(__dirname, '..', '..');
const file = join(__dirname, 'suite-durations.json');
const results = JSON.parse(readFileSync(input, 'utf8'));
let old = {};
try {
  old = JSON.parse(readFileSync(file, 'utf8')).suites ?? {};
} catch {
  // first recording
}
const suites = Object.fromEntries(Object.entries(old).filter(([key]) => existsSync(join(root, key))));
for (const result of results.testResults) {
  const key = relative(root, result.name).split(sep).join('/');
  suites[key] = Math.round(result.endTime - result.startTime);
}
const sorted = Object.fromEntries(Object.entries(suites).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));
const note = 'Suite wall times (ms) from one full run, longest first; tools/jest/sequencer.js starts the longest first. Rewrite with tools/jest/record-durations.js.';
writeFileSync(file, `${JSON.stringify({ note, recorded: new Date(results.startTime).toISOString(), suites: sorted }, null, 2)}\n`);
console.log(`${Object.keys(suites).length} suites written to ${relative(root, file)}`);
