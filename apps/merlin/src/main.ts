import { Logger } from '@nestjs/common';
import { startMerlin } from './bootstrap';
import { closeOnSignals } from './http/graceful-shutdown';

startMerlin(process.env).then(
  (merlin) => closeOnSignals('Merlin', merlin.close),
  (error: unknown) => {
    new Logger('Merlin').error(`merlin failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
