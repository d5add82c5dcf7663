import { Logger } from '@nestjs/common';
import { closeOnSignals } from '@iam/service-kit';
import { startTuring } from './bootstrap';

startTuring(process.env).then(
  (turing) => closeOnSignals('Turing', turing.close),
  (error: unknown) => {
    new Logger('Turing').error(`turing failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
