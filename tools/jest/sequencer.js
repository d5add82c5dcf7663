/*
 * Jest test sequencer: longest suite first, from durations recorded in
 * tools/jest/suite-durations.json (repository-relative path -> ms), so a
 * fresh clone (no jest cache) packs its two workers as well as a warm one and
 * the run does not end on one long suite started last.
 *
 * A suite missing from the file takes jest's own cached duration, else a
 * guess by project (integration suites start servers: seconds, not ms).
 * Suites that failed in the previous local run still go first (jest's rule).
 * `node tools/jest/record-durations.js <jest --json output>` rewrites the file.
 */
const { readFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const DURATIONS_FILE = join(__dirname, 'suite-durations.json');
/** Guesses for a suite not in the file (ms): a long integration suite before many short unit ones. */
const UNKNOWN_MS = { integration: 20_000, unit: 2_000 };

function recordedDurations() {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')).suites ?? {};
  } catch {
    return {};
  }
}

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const recorded = recordedDurations();
    const expected = (test) => {
      const key = relative(test.context.config.rootDir, test.path).split(sep).join('/');
      if (recorded[key] !== undefined) return recorded[key];
      const cached = this.time(test);
      if (cached !== undefined) return cached;
      return UNKNOWN_MS[test.context.config.displayName?.name] ?? UNKNOWN_MS.unit;
    };
    const withTimes = tests.map((test) => ({ test, failed: this.hasFailed(test), ms: expected(test) }));
    withTimes.sort((a, b) => (a.failed !== b.failed ? (a.failed ? -1 : 1) : b.ms - a.ms || (a.test.path < b.test.path ? -1 : 1)));
    return withTimes.map(({ test, ms }) => Object.assign(test, { duration: ms }));
  }
}

module.exports = LongestFirstSequencer;
