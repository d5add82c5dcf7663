import { checkpointSchema } from './checkpoint-schema';
import {
  controlProgressSchema,
  rebuildControlReplySchema,
  rebuildControlRequestSchema,
  rebuildResultSchema,
  replayControlReplySchema,
  replayControlRequestSchema,
  replayResultSchema,
  statsControlReplySchema,
  statsControlRequestSchema,
  statsResultSchema,
} from './control-schemas';
import { eventEnvelopeSchema } from './envelope-schema';
import {
  cacheFlushPayloadSchema,
  groupCreatedPayloadSchema,
  groupDeletedPayloadSchema,
  groupMemberPayloadSchema,
  policyDeletedPayloadSchema,
  policyPayloadSchema,
  principalCreatedPayloadSchema,
  principalDeletedPayloadSchema,
  principalDisabledPayloadSchema,
  resourceDeletedPayloadSchema,
  roleDeletedPayloadSchema,
  rolePayloadSchema,
  tokenCreatedPayloadSchema,
  tokenRevokedPayloadSchema,
} from './payload-schemas';
import {
  authorityErrorBodySchema,
  checkReplySchema,
  checkRequestSchema,
  checkResultSchema,
  checkRpcRequestSchema,
  resolvedIdentitySchema,
  resolveIdentityReplySchema,
  resolveIdentityRequestSchema,
  resolveIdentityRpcRequestSchema,
} from './rpc-schemas';

/**
 * Every named schema of the contract, keyed by its `title` (the name it has
 * in `docs/asyncapi.yaml`'s `components.schemas`).
 */
export const CONTRACT_SCHEMAS = {
  EventEnvelope: eventEnvelopeSchema,
  PrincipalCreatedPayload: principalCreatedPayloadSchema,
  PrincipalDisabledPayload: principalDisabledPayloadSchema,
  PrincipalDeletedPayload: principalDeletedPayloadSchema,
  GroupCreatedPayload: groupCreatedPayloadSchema,
  GroupDeletedPayload: groupDeletedPayloadSchema,
  GroupMemberPayload: groupMemberPayloadSchema,
  RolePayload: rolePayloadSchema,
  RoleDeletedPayload: roleDeletedPayloadSchema,
  PolicyPayload: policyPayloadSchema,
  PolicyDeletedPayload: policyDeletedPayloadSchema,
  TokenCreatedPayload: tokenCreatedPayloadSchema,
  TokenRevokedPayload: tokenRevokedPayloadSchema,
  ResourceDeletedPayload: resourceDeletedPayloadSchema,
  CacheFlushPayload: cacheFlushPayloadSchema,
  Checkpoint: checkpointSchema,
  CheckRequest: checkRequestSchema,
  CheckRpcRequest: checkRpcRequestSchema,
  CheckResult: checkResultSchema,
  CheckReply: checkReplySchema,
  ResolveIdentityRequest: resolveIdentityRequestSchema,
  ResolveIdentityRpcRequest: resolveIdentityRpcRequestSchema,
  ResolvedIdentity: resolvedIdentitySchema,
  ResolveIdentityReply: resolveIdentityReplySchema,
  AuthorityErrorBody: authorityErrorBodySchema,
  ReplayControlRequest: replayControlRequestSchema,
  RebuildControlRequest: rebuildControlRequestSchema,
  StatsControlRequest: statsControlRequestSchema,
  ControlProgress: controlProgressSchema,
  ReplayResult: replayResultSchema,
  RebuildResult: rebuildResultSchema,
  StatsResult: statsResultSchema,
  ReplayControlReply: replayControlReplySchema,
  RebuildControlReply: rebuildControlReplySchema,
  StatsControlReply: statsControlReplySchema,
} as const;

/** Name of a schema of the contract. */
export type ContractSchemaName = keyof typeof CONTRACT_SCHEMAS;
