/*
 * @iam/service-kit: what every HTTP service of this project starts with.
 * The environment it reads (PORT, HOST, LOG_LEVEL, LOG_FORMAT), the logger and
 * the metrics every app exposes (process, build info, HTTP durations), the error a bad variable
 * raises, the JSON error shape and validation pipe of its endpoints, and
 * closing once on SIGINT/SIGTERM.
 */
export { ConfigError } from './config-error';
export { ServiceConfigError, httpServiceConfigFromEnv, listeningUrl } from './http-service-config';
export type { HttpServiceConfig } from './http-service-config';
export { closeOnSignals } from './graceful-shutdown';
export type { CloseOnSignalsMessages } from './graceful-shutdown';
export { notFound, invalidRequest } from './http-errors';
export { createValidationPipe, firstValidationError } from './validation';
export { serviceLoggerFromEnv } from './service-logger';
export { ServiceMetrics } from './service-metrics';
export type { ServiceIdentity } from './service-metrics';
export { hardenHttp } from './http-hardening';
export type { HttpHardeningOptions } from './http-hardening';
