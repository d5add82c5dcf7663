import { runIamctl } from '../../../apps/iamctl/src/cli';
import type { CliIo } from '../../../apps/iamctl/src/context';
import { TEST_OPERATOR_KEY } from '../../support/credentials';

/** iamctl's exit code and output, run in-process. */
export interface IamctlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs iamctl with `argv` and an environment of its own (nothing from this process's; by default only the test operator key). */
export async function iamctl(argv: string[], env: NodeJS.ProcessEnv = { IAM_OPERATOR_KEY: TEST_OPERATOR_KEY }): Promise<IamctlRun> {
  const run = { code: -1, stdout: '', stderr: '' };
  const io: CliIo = {
    out: (text) => void (run.stdout += text),
    err: (text) => void (run.stderr += text),
    errIsTTY: false,
    env,
  };
  run.code = await runIamctl(argv, io);
  return run;
}
