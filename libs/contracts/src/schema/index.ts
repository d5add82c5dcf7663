/*
 * The contract's JSON Schemas (draft-07), the single source of truth for
 * every message on the wire. `docs/asyncapi.yaml` is generated from them.
 */
export { ID_MAX, LIST_MAX } from './json-schema';
export * from './envelope-schema';
export * from './payload-schemas';
export * from './checkpoint-schema';
export * from './rpc-schemas';
export * from './control-schemas';
export * from './contract-schemas';
export { ContractSchemaError, schemaCheck, type SchemaCheck, type SchemaViolation } from './schema-validator';
export { isRfc3339DateTime } from './date-time-format';
