/** Where the demo finds the stack and how patient it is. */
export interface DemoOptions {
  authorityUrl: string;
  turingUrl: string;
  merlinUrl: string;
  adminToken: string;
  /** The project the demo works in. Default `42`. */
  project: string;
  /** How long to wait for the services to be ready. Default 60 s. */
  readyTimeoutMs: number;
  /** How long a revocation may take to be seen before the demo fails. Default 5 s. */
  denyTimeoutMs: number;
}

/** Reads AUTHORITY_URL, TURING_URL, MERLIN_URL, IAM_ADMIN_TOKEN (defaults: `npm start`'s). */
export function demoOptionsFromEnv(env: NodeJS.ProcessEnv): DemoOptions {
  return {
    authorityUrl: env.AUTHORITY_URL ?? 'http://127.0.0.1:3000',
    turingUrl: env.TURING_URL ?? 'http://127.0.0.1:3001',
    merlinUrl: env.MERLIN_URL ?? 'http://127.0.0.1:3002',
    adminToken: env.IAM_ADMIN_TOKEN ?? 'dev-admin-token',
    project: env.DEMO_PROJECT ?? '42',
    readyTimeoutMs: 60_000,
    denyTimeoutMs: 5_000,
  };
}
