import { Command, CommanderError, Option } from 'commander';
import { adminCommandsHelp } from './help';
import { CliContext, CliIo, RawGlobalFlags, resolveGlobalOptions } from './context';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors';
import { flushCommand, grantCommand, principalCreateCommand, roleCreateCommand, tokenCreateCommand, tokenRevokeCommand } from './commands/admin-commands';
import { cacheStatsCommand, rebuildCommand, replayCommand } from './commands/control-commands';
import { eventsTailCommand } from './commands/events-tail';
import { servicesCommand } from './commands/services';
import { streamStatusCommand } from './commands/stream-status';

type Action = (ctx: CliContext, args: string[], flags: Record<string, unknown>) => Promise<unknown>;

/**
 * Builds the commander program. Actions run through `run`, which gives them a
 * {@link CliContext} built from the global flags; errors bubble to
 * {@link runIamctl}, which turns them into exit codes.
 */
function buildProgram(io: CliIo, run: (command: Command, args: string[], action: Action) => Promise<void>): Command {
  const program = new Command('iamctl')
    .description('Operator CLI for the IAM authority, its event stream and the services\' authorization caches.')
    .option('--nats <url>', 'NATS server(s), comma-separated (env NATS_URL; NATS_USER/NATS_PASS or NATS_CREDS authenticate; NATS_INBOX_PREFIX, NATS_TLS_CA/CERT/KEY)')
    .option('--nats-user <user>', 'NATS user (env NATS_USER); the password comes only from NATS_PASS')
    .option('--authority <url>', 'authority base URL (env AUTHORITY_URL, default http://127.0.0.1:3000)')
    .option('--admin-token <token>', 'authority admin token (env IAM_ADMIN_TOKEN; default the development token); control commands sign with env IAM_OPERATOR_KEY')
    .option('--json', 'machine-readable JSON output')
    .option('--timeout <ms>', 'how long to wait for an answer, in ms (default 10000)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .addHelpText('after', `\nExit codes: 0 ok, 1 failure (HTTP error, a replica failed, no replica answered), 2 usage error.\n${adminCommandsHelp}`);

  const wire = (command: Command, action: Action): Command =>
    command.action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      await run(cmd, cmd.args, action);
    });
  const example = (text: string) => `\nExample:\n  ${text}\n`;

  const stream = program.command('stream').description('the IAM_EVENTS stream');
  wire(
    stream.command('status').description('messages, first/last sequence, bytes, consumers and the last event revision').addHelpText('after', example('iamctl stream status --json')),
    (ctx) => streamStatusCommand(ctx),
  );

  const events = program.command('events').description('events on the stream');
  wire(
    events
      .command('tail')
      .description('print events (the last --limit, or from --from-seq); --follow waits for new ones')
      .option('--type <type>', 'only this event type, e.g. policy.deleted')
      .option('--from-seq <n>', 'start at this stream sequence')
      .option('--limit <n>', 'how many of the last events to print (default 20); with --from-seq, at most n')
      .option('--follow', 'then keep printing new events until Ctrl-C (like tail -f)')
      .addHelpText('after', example('iamctl events tail --type token.revoked --limit 5')),
    (ctx, _args, flags) => eventsTailCommand(ctx, flags),
  );

  wire(
    program
      .command('services')
      .description('NATS services discovered with $SRV.INFO/$SRV.STATS (the authority\'s RPC): id, version, endpoints, requests, errors, processing time')
      .option('--name <service>', 'only this service (e.g. iam-authority)')
      .option('--wait <ms>', 'how long to wait for answers, at most (default 2000; stops 300 ms after the last one)')
      .addHelpText('after', example('iamctl services --name iam-authority --json')),
    (ctx, _args, flags) => servicesCommand(ctx, flags),
  );

  const controlOptions = (command: Command): Command =>
    command
      .option('--expect <n>', 'stop as soon as n replicas answered; fewer is a failure')
      .option('--wait <ms>', 'quiet period after which no more replicas are expected (default 1000)');

  wire(
    controlOptions(
      program
        .command('replay')
        .description('make every instance (of --service) re-apply events from a point; prints each replica\'s result')
        .option('--since <when>', 'a duration back from now (1h, 30m) or an ISO-8601 time')
        .option('--from-seq <n>', 'a stream sequence')
        .option('--service <name>', 'only instances of this service (e.g. turing)'),
    ).addHelpText('after', example('iamctl replay --since 1h --service turing')),
    (ctx, _args, flags) => replayCommand(ctx, flags),
  );

  wire(
    controlOptions(
      program
        .command('rebuild')
        .description('flush the caches of a service and re-warm their hottest keys with bounded concurrency')
        .requiredOption('--service <name>', 'the service to rebuild (e.g. merlin)')
        .option('--top-n <n>', 'how many recent keys to re-warm per instance')
        .option('--concurrency <n>', 'authority calls in flight per instance, at most'),
    ).addHelpText('after', example('iamctl rebuild --service merlin --top-n 500 --concurrency 8')),
    (ctx, _args, flags) => rebuildCommand(ctx, flags),
  );

  const cache = program.command('cache').description('the services\' authorization caches');
  wire(
    controlOptions(cache.command('stats').description('entries, hit ratio, applied sequence and lag of every instance').option('--service <name>', 'only this service')).addHelpText(
      'after',
      example('iamctl cache stats --service turing'),
    ),
    (ctx, _args, flags) => cacheStatsCommand(ctx, flags),
  );

  wire(
    program
      .command('flush')
      .description('break-glass: publish a cache.flush event (one principal, or everything)')
      .option('--principal <id>', 'drop everything cached about this principal')
      .option('--all', 'drop every entry of every cache')
      .option('--yes', 'confirm --all')
      .addHelpText('after', example('iamctl flush --principal user:ada@example.com')),
    (ctx, _args, flags) => flushCommand(ctx, flags),
  );

  const principal = program.command('principal').description('principals (users and service accounts)');
  wire(
    principal
      .command('create <id>')
      .description('create a principal: user:<email> or sa:<name>')
      .option('--display-name <name>', 'a human name')
      .addHelpText('after', example('iamctl principal create user:ada@example.com --display-name "Ada Lovelace"')),
    (ctx, args, flags) => principalCreateCommand(ctx, args[0], flags),
  );

  wire(
    program
      .command('grant')
      .description('create a policy: a subject gets a role (or actions) on resource patterns')
      .option('--subject <id>', 'principal or group (comma-separated for several)')
      .option('--role <id>', 'the role to grant')
      .option('--actions <list>', 'or actions, comma-separated')
      .addOption(new Option('--resource <pattern>', 'resource pattern (repeatable): * one segment, ** any').argParser((value: string, previous?: string[]) => [...(previous ?? []), value]))
      .option('--deny', 'an explicit deny instead of an allow')
      .addHelpText('after', example('iamctl grant --subject user:ada@example.com --role router-admin --resource "projects:42:**"')),
    (ctx, _args, flags) => grantCommand(ctx, flags),
  );

  const role = program.command('role').description('roles (named sets of actions)');
  wire(
    role
      .command('create <id>')
      .description('create a role')
      .option('--actions <list>', 'actions, comma-separated (e.g. routers.read,routers.write)')
      .addHelpText('after', example('iamctl role create router-admin --actions routers.read,routers.write,routers.delete')),
    (ctx, args, flags) => roleCreateCommand(ctx, args[0], flags),
  );

  const token = program.command('token').description('API tokens');
  wire(
    token
      .command('create <principal>')
      .description('create a token for a principal; the secret is printed once')
      .option('--ttl <seconds>', 'lifetime in seconds (default: no expiry)')
      .addHelpText('after', example('iamctl token create user:ada@example.com --ttl 3600')),
    (ctx, args, flags) => tokenCreateCommand(ctx, args[0], flags),
  );
  wire(
    token.command('revoke <tokenId>').description('revoke a token (every service answers 401 for it from then on)').addHelpText('after', example('iamctl token revoke 3f2a1c0d9e8b7a65')),
    (ctx, args) => tokenRevokeCommand(ctx, args[0]),
  );

  return program;
}

/**
 * Runs iamctl with `argv` (without `node` and the script) and returns the
 * exit code: 0 ok, 1 failure, 2 usage error. Never throws, never calls
 * `process.exit` (tests run it in-process).
 */
export async function runIamctl(argv: string[], io: CliIo): Promise<number> {
  let context: CliContext | undefined;
  const program = buildProgram(io, async (command, args, action) => {
    const flags = command.opts<Record<string, unknown>>();
    const globals = command.optsWithGlobals<RawGlobalFlags & Record<string, unknown>>();
    context = new CliContext(io, resolveGlobalOptions(globals, io.env));
    await action(context, args, flags);
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return EXIT_OK;
      // Commander already printed its message (and the help hint).
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      io.err(`iamctl: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`iamctl: unexpected error: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  } finally {
    await context?.close();
  }
}
