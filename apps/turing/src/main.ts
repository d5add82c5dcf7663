import { Logger } from '@nestjs/common';
import { startTuring } from './bootstrap';
import { closeOnSignals } from './http/graceful-shutdown';

startTuring(process.env).then(
  (turing) => closeOnSignals('Turing', turing.close),
  (error: unknown) => {
    new Logger('Turing').error(`turing failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
