import { demoOptionsFromEnv } from './demo-options';
import { runDemo } from './scenario';

runDemo(demoOptionsFromEnv(process.env), (text) => process.stdout.write(text)).then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    process.stderr.write(`\nDemo FAILED: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
