import { join } from 'node:path';
import { AppProcess, AppProcessSpec } from '../support/app-process';

/** The compiled authority (built by the integration project's globalSetup). */
export const AUTHORITY_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'iam-authority', 'src', 'main.js');

/** How the compiled authority is started and recognised as listening. */
export const AUTHORITY_PROCESS: AppProcessSpec = {
  main: AUTHORITY_MAIN,
  listening: /IAM authority listening on (http:\/\/127\.0\.0\.1:\d+)/,
  name: 'the authority',
  // A first PGlite open on two busy cores: over 30 s at load 14 (as the fault suites allow).
  startTimeoutMs: 90_000,
};

/** The authority as a child process (to SIGKILL, SIGSTOP and restart it). */
export type AuthorityProcess = AppProcess;

/** Starts the compiled authority with exactly `env` (plus PATH and HOME) and waits until it listens. */
export const AuthorityProcess = {
  start(env: Record<string, string>): Promise<AuthorityProcess> {
    return AppProcess.launch(AUTHORITY_PROCESS, env);
  },
};
