import { invalid } from './errors';

/*
 * Identifier grammar (preamble "Ids"). One place, used by the DTOs (HTTP)
 * and by the domain (RPC and path parameters do not pass through DTOs).
 */

const NAME = '[a-z0-9][a-z0-9._-]{0,62}';
/** A deliberately plain e-mail shape: something@something.tld, no spaces, at most 254 chars. */
const EMAIL = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+";

export const PRINCIPAL_ID = new RegExp(`^(?:user:${EMAIL}|sa:${NAME})$`);
export const GROUP_ID = new RegExp(`^group:${NAME}$`);
export const ROLE_ID = new RegExp(`^${NAME}$`);
const POLICY_ID = /^pol_[0-9a-f]{16}$/;
export const TOKEN_ID = /^[0-9a-f]{16}$/;
export const ACTION = /^[a-z0-9_*]+(\.[a-z0-9_*]+)*$/;
/** Segments without `:` or whitespace; `*` and `**` are patterns, accepted in resources of policies only. */
export const RESOURCE = /^[^:\s]+(:[^:\s]+)*$/;

const MAX_ID_LENGTH = 256;
export const MAX_RESOURCE_LENGTH = 1024;
export const MAX_LIST = 100;

function check(value: unknown, pattern: RegExp, field: string, what: string, max = MAX_ID_LENGTH): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, `${field} must be a non-empty string`);
  if (value.length > max) throw invalid(field, `${field} must be at most ${max} characters`);
  if (!pattern.test(value)) throw invalid(field, `${field} must be ${what}`);
  return value;
}

export const PRINCIPAL_ID_HINT = "a principal id: 'user:<email>' or 'sa:<name>'";
export const GROUP_ID_HINT = "a group id: 'group:<name>' (name: lowercase letters, digits, '.', '_', '-')";
export const ROLE_ID_HINT = "a role id: lowercase letters, digits, '.', '_', '-' (at most 63)";
export const ACTION_HINT = "an action: dot-separated words of [a-z0-9_*], e.g. 'routers.read' or 'routers.*'";
export const RESOURCE_HINT = "a resource: ':'-separated non-empty segments, e.g. 'projects:42:routers:7'";

export const assertPrincipalId = (value: unknown, field = 'principal'): string => check(value, PRINCIPAL_ID, field, PRINCIPAL_ID_HINT);
export const assertGroupId = (value: unknown, field = 'id'): string => check(value, GROUP_ID, field, GROUP_ID_HINT);
export const assertRoleId = (value: unknown, field = 'id'): string => check(value, ROLE_ID, field, ROLE_ID_HINT);
export const assertPolicyId = (value: unknown, field = 'id'): string => check(value, POLICY_ID, field, "a policy id 'pol_<16 hex>'");
export const assertTokenId = (value: unknown, field = 'tokenId'): string => check(value, TOKEN_ID, field, 'a token id (16 hex characters)');
export const assertAction = (value: unknown, field = 'action'): string => check(value, ACTION, field, ACTION_HINT, 256);
export const assertResource = (value: unknown, field = 'resource'): string => check(value, RESOURCE, field, RESOURCE_HINT, MAX_RESOURCE_LENGTH);

/** A policy subject: a principal or a group. */
export function assertSubject(value: unknown, field: string): string {
  if (typeof value === 'string' && GROUP_ID.test(value)) return value;
  return check(value, PRINCIPAL_ID, field, `${PRINCIPAL_ID_HINT}, or ${GROUP_ID_HINT}`);
}

/** A non-empty list of at most {@link MAX_LIST} distinct items, each checked. */
export function assertList(value: unknown, field: string, item: (value: unknown, field: string) => string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(field, `${field} must be a non-empty array`);
  if (value.length > MAX_LIST) throw invalid(field, `${field} must have at most ${MAX_LIST} items`);
  const items = value.map((entry, index) => item(entry, `${field}.${index}`));
  return [...new Set(items)];
}
