import { Logger } from '@nestjs/common';
import { stackBanner, startStack } from './stack';

const logger = new Logger('Stack');

/*
 * `npm start`: the authority, turing and merlin in one process (and a local
 * nats-server when none answers at the default URL). Ctrl-C stops them all.
 */
startStack(process.env).then(
  (stack) => {
    process.stdout.write(stackBanner(stack));
    let closing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing) {
        logger.warn(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      closing = true;
      logger.log(`${signal} received: stopping merlin, turing, the authority${stack.natsProcess ? ' and nats-server' : ''}`);
      stack.close().then(
        () => {
          logger.log('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error(`stopping failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  },
  (error: unknown) => {
    logger.error(`the stack failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
