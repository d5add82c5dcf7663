import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The auth.conf users the stack logs its parts in as. */
export type StackNatsUser = 'authority' | 'turing' | 'merlin' | 'operator';

/** Generated passwords of one `npm start`, and what each part's environment gets from them. */
export interface StackNatsUsers {
  /** The nats-server's environment (NATS_<USER>_PASSWORD, read by auth.conf). */
  serverEnv: Record<string, string>;
  /** NATS_USER, NATS_PASS and NATS_INBOX_PREFIX for one user. */
  clientEnv(user: StackNatsUser): Record<string, string>;
}

/** Generates a fresh password per auth.conf user (never written to disk; a new set every start). */
export function generateStackNatsUsers(): StackNatsUsers {
  const users: StackNatsUser[] = ['authority', 'turing', 'merlin', 'operator'];
  // Letters first, hex after: nats-server parses a $VAR value as a config token (a leading digit would make it a number).
  const passwords = Object.fromEntries(users.map((user) => [user, `pw${randomBytes(24).toString('hex')}`])) as Record<StackNatsUser, string>;
  return {
    serverEnv: Object.fromEntries(users.map((user) => [`NATS_${user.toUpperCase()}_PASSWORD`, passwords[user]])),
    clientEnv: (user) => ({ NATS_USER: user, NATS_PASS: passwords[user], NATS_INBOX_PREFIX: `_INBOX_${user}` }),
  };
}

/** docker/nats/auth.conf, found from the source tree or from dist/ alike (walks up from here). */
export function findAuthConf(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'docker', 'nats', 'auth.conf');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
