import { Logger } from '@nestjs/common';
import { closeOnSignals } from '@iam/service-kit';
import { startMerlin } from './bootstrap';

startMerlin(process.env).then(
  (merlin) => closeOnSignals('Merlin', merlin.close),
  (error: unknown) => {
    new Logger('Merlin').error(`merlin failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
