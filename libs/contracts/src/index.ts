export * from './subjects';
export * from './tags';
export * from './errors';
export * from './payloads';
export * from './events';
export * from './schema';
export * from './codec';
export * from './stream';
export * from './rpc';
export * from './control';
export * from './checkpoint';
export { SAMPLE_PAYLOADS } from './fixtures';
export * from './secrets';
export * from './operator-credential';
export * from './nats-security';
export { API_TOKEN_PATTERN, formatApiToken, parseApiToken } from './api-token';
// A rate limit's arithmetic, shared by the cache's authority calls and the authority's RPC.
export { TokenBucket } from './token-bucket';
// JSON over HTTP with kept-alive connections: the cache's authority client and iamctl.
export { HttpJsonClient, HttpJsonError } from './http-json';
export type { HttpJsonAnswer, HttpJsonClientOptions, HttpJsonRequest } from './http-json';
