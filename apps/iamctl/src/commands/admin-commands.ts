import type { CliContext } from '../context';
import { parsePositiveInt } from '../duration';
import { UsageError } from '../errors';
import { renderKeyValues } from '../output/table';

/** `--actions a,b` as a list (empty items refused). */
export function parseList(option: string, text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === '')) throw new UsageError(`${option} must be a comma-separated list such as routers.read,routers.write`);
  return items;
}

/** `iamctl flush --principal <id> | --all --yes` */
export async function flushCommand(ctx: CliContext, flags: { principal?: string; all?: boolean; yes?: boolean }): Promise<void> {
  if (Boolean(flags.principal) === Boolean(flags.all)) throw new UsageError('flush needs exactly one of --principal <id> or --all');
  if (flags.all && !flags.yes) throw new UsageError('flush --all empties every cache of every service; add --yes to confirm');
  const scope = flags.all ? ('all' as const) : { principal: flags.principal! };
  const answer = await ctx.authority().flush(scope);
  const what = flags.all ? 'every cache' : `everything cached about ${flags.principal}`;
  ctx.print(`flush published: ${what} (revision ${answer.revision})\n`, answer);
}

/** `iamctl principal create <id> [--display-name]` */
export async function principalCreateCommand(ctx: CliContext, id: string, flags: { displayName?: string }): Promise<void> {
  const answer = await ctx.authority().createPrincipal(id, flags.displayName);
  ctx.print(`principal ${id} created (revision ${answer.revision})\n`, answer);
}

/** Flags of `iamctl grant`. */
export interface GrantFlags {
  subject?: string;
  role?: string;
  actions?: string;
  resource?: string[];
  deny?: boolean;
}

/** The policy `iamctl grant` creates. */
export function grantPolicy(flags: GrantFlags): { subjects: string[]; role?: string; actions?: string[]; resources: string[]; effect: 'allow' | 'deny' } {
  if (!flags.subject) throw new UsageError('grant needs --subject <principal or group>');
  if (Boolean(flags.role) === Boolean(flags.actions)) throw new UsageError('grant needs exactly one of --role <id> or --actions a,b');
  if (!flags.resource || flags.resource.length === 0) throw new UsageError('grant needs --resource <pattern> (e.g. projects:42:**)');
  return {
    subjects: parseList('--subject', flags.subject),
    ...(flags.role ? { role: flags.role } : { actions: parseList('--actions', flags.actions!) }),
    resources: flags.resource,
    effect: flags.deny ? 'deny' : 'allow',
  };
}

/** `iamctl grant --subject s --role r|--actions a,b --resource p [--deny]` */
export async function grantCommand(ctx: CliContext, flags: GrantFlags): Promise<void> {
  const policy = grantPolicy(flags);
  const answer = await ctx.authority().createPolicy(policy);
  const what = policy.role ? `role ${policy.role}` : `actions ${policy.actions!.join(',')}`;
  ctx.print(
    `policy ${answer.id} created: ${policy.effect} ${policy.subjects.join(',')} ${what} on ${policy.resources.join(',')} (revision ${answer.revision})\n`,
    answer,
  );
}

/** `iamctl role create <id> --actions a,b` */
export async function roleCreateCommand(ctx: CliContext, id: string, flags: { actions?: string }): Promise<void> {
  if (!flags.actions) throw new UsageError('role create needs --actions a,b');
  const answer = await ctx.authority().createRole(id, parseList('--actions', flags.actions));
  ctx.print(`role ${id} created with ${answer.actions?.join(', ') ?? flags.actions} (revision ${answer.revision})\n`, answer);
}

/** `iamctl token create <principal> [--ttl seconds]`: the secret is printed once, on stdout only. */
export async function tokenCreateCommand(ctx: CliContext, principal: string, flags: { ttl?: string }): Promise<void> {
  const ttl = flags.ttl === undefined ? undefined : parsePositiveInt('--ttl', flags.ttl);
  const answer = await ctx.authority().createToken(principal, ttl);
  ctx.print(
    renderKeyValues([
      ['token id', answer.tokenId],
      ['principal', principal],
      ['expires at', answer.expiresAt ?? 'never'],
      ['revision', answer.revision],
      ['token', answer.token],
    ]) + 'The token is shown only this once: store it now.\n',
    answer,
  );
}

/** `iamctl token revoke <tokenId>` */
export async function tokenRevokeCommand(ctx: CliContext, tokenId: string): Promise<void> {
  const answer = await ctx.authority().revokeToken(tokenId);
  ctx.print(`token ${tokenId} revoked (revision ${answer.revision})\n`, answer);
}
