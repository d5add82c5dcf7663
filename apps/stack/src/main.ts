import { Logger } from '@nestjs/common';
import { closeOnSignals } from '@iam/service-kit';
import { stackBanner, startStack } from './stack';

const logger = new Logger('Stack');

/*
 * `npm start`: the authority, turing and merlin in one process (and a local
 * nats-server when none answers at the default URL). Ctrl-C stops them all.
 */
startStack(process.env).then(
  (stack) => {
    process.stdout.write(stackBanner(stack));
    closeOnSignals('Stack', stack.close, {
      closing: `stopping merlin, turing, the authority${stack.natsProcess ? ' and nats-server' : ''}`,
      closed: 'stopped',
      failed: 'stopping failed',
      print: (line) => process.stdout.write(`${line}\n`),
    });
  },
  (error: unknown) => {
    logger.error(`the stack failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
