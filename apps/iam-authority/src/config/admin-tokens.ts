import { checkSecretShape, configuredSecret, isDevMode, SecretConfigError } from '@iam/contracts';

/** One authority admin token and who holds it (the audit log records `admin:<owner>`). */
export interface AdminToken {
  owner: string;
  token: string;
}

/** The development admin token (`IAM_DEV_MODE=1` only), owned by `dev`. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

const OWNER = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Reads the authority's admin tokens: `IAM_ADMIN_TOKENS=alice:<token>,ci:<token>`
 * (several at once, so a token can be rotated: add the new one, move callers,
 * remove the old one), or the single `IAM_ADMIN_TOKEN` (owner `admin`).
 * Outside dev mode every token must have at least 32 characters and one of
 * the variables must be set; owners are unique, tokens are distinct.
 * Throws {@link SecretConfigError} naming the variable, never echoing a token.
 */
export function adminTokensFromEnv(env: Record<string, string | undefined>): { tokens: AdminToken[]; warning?: string } {
  const list = env.IAM_ADMIN_TOKENS?.trim();
  if (list) {
    const dev = isDevMode(env);
    const tokens: AdminToken[] = [];
    for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
      const colon = entry.indexOf(':');
      const owner = colon > 0 ? entry.slice(0, colon) : '';
      const token = colon > 0 ? entry.slice(colon + 1) : '';
      if (!OWNER.test(owner) || token === '') {
        throw new SecretConfigError('IAM_ADMIN_TOKENS', 'IAM_ADMIN_TOKENS must be a comma-separated list of <owner>:<token>, owner matching [a-z0-9][a-z0-9._-]{0,62}');
      }
      checkSecretShape('IAM_ADMIN_TOKENS', token, dev);
      if (tokens.some((t) => t.owner === owner)) throw new SecretConfigError('IAM_ADMIN_TOKENS', `IAM_ADMIN_TOKENS names owner '${owner}' twice`);
      if (tokens.some((t) => t.token === token)) throw new SecretConfigError('IAM_ADMIN_TOKENS', `IAM_ADMIN_TOKENS gives owner '${owner}' a token another owner already has`);
      tokens.push({ owner, token });
    }
    if (tokens.length === 0) throw new SecretConfigError('IAM_ADMIN_TOKENS', 'IAM_ADMIN_TOKENS lists no token');
    return { tokens };
  }
  const single = configuredSecret(env, 'IAM_ADMIN_TOKEN', DEV_ADMIN_TOKEN);
  return { tokens: [{ owner: single.warning ? 'dev' : 'admin', token: single.value }], ...(single.warning ? { warning: single.warning.replace('IAM_ADMIN_TOKEN', 'IAM_ADMIN_TOKENS') } : {}) };
}
