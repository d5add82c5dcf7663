import { processIo } from './context';
import { runIamctl } from './cli';

runIamctl(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
