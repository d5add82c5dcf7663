export { NatsServerProcess } from './nats-server-process';
export type { NatsServerProcessOptions } from './nats-server-process';
export { renderNatsServerConfig } from './nats-server-config';
export type { NatsServerConfigOptions } from './nats-server-config';
export { NatsServerNotFoundError, NatsServerStartError } from './errors';
export { natsAnswers } from './nats-probe';
export { ensureLocalNats, DEFAULT_NATS_URL } from './ensure-local-nats';
export type { EnsureLocalNatsOptions, LocalNats, LocalNatsLogger } from './ensure-local-nats';
