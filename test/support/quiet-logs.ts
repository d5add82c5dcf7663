import { Logger, LogLevel } from '@nestjs/common';

/*
 * Test output stays readable: Nest apps started inside jest print errors
 * only, unless TEST_LOGS=1 (then every level their LOG_LEVEL allows).
 * Apps call Logger.overrideLogger with their LOG_LEVEL's levels when they
 * start; here that list is narrowed to the test's levels, so an app started
 * with an explicit environment is quiet too. A custom logger object (a test
 * capturing logs) passes through untouched.
 */
if (!process.env.TEST_LOGS) {
  const testLevels: LogLevel[] = ['fatal', 'error'];
  process.env.LOG_LEVEL ??= 'error';
  const override = Logger.overrideLogger.bind(Logger);
  Logger.overrideLogger = (logger) => override(Array.isArray(logger) ? logger.filter((level) => testLevels.includes(level)) : logger);
  Logger.overrideLogger(testLevels);
}
