import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Compiles the workspace to dist/ once per jest run, so integration tests can
 * start apps as real child processes (to SIGKILL and restart them).
 */
export default function globalSetup(): void {
  const root = join(__dirname, '..', '..');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
