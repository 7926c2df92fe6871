/**
 * The warrenctl command tree and run(): parses argv, runs the command, and turns every failure
 * into a message on stderr and an exit code (exit-codes.ts). It only speaks the HTTP API.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliFailure, EXIT } from './exit-codes.js';
import { positiveInt } from './options.js';
import type { Io } from './output.js';
import { completionCommand } from './commands/completion.js';
import { definitionsCommand } from './commands/definitions.js';
import { bindingsCommand, exchangesCommand } from './commands/exchanges.js';
import { browseCommand, publishCommand } from './commands/messages.js';
import { connectionsCommand } from './commands/connections.js';
import { auditCommand, nodesCommand, overviewCommand } from './commands/overview.js';
import { permissionsCommand, topicPermissionsCommand } from './commands/permissions.js';
import { policiesCommand } from './commands/policies.js';
import { queuesCommand } from './commands/queues.js';
import { redriveCommand, redrivesCommand } from './commands/redrive.js';
import { scheduledCommand } from './commands/scheduled.js';
import { usersCommand, whoamiCommand } from './commands/users.js';
import { vhostsCommand } from './commands/vhosts.js';
import { VERSION } from './version.js';

export const DEFAULT_URL = 'http://127.0.0.1:5680';

export function program(io: Io, env: Record<string, string | undefined>): Command {
  const root: Command = new Command('warrenctl')
    .description('Operate a Warren broker over its management HTTP API')
    .version(VERSION)
    .addOption(new Option('-u, --url <url>', 'the broker’s HTTP address').env('WARREN_URL').default(env.WARREN_URL ?? DEFAULT_URL))
    .addOption(new Option('--vhost <vhost>', 'virtual host (WARREN_VHOST)').default(env.WARREN_VHOST ?? '/'))
    .addOption(new Option('--user <name>', 'user for HTTP Basic auth (WARREN_USER)').default(env.WARREN_USER, 'from the environment'))
    // The description stands in for the value in --help, so a password or token from the environment is never printed.
    .addOption(new Option('--password <password>', 'its password (WARREN_PASSWORD)').default(env.WARREN_PASSWORD, 'from the environment'))
    .addOption(new Option('--token <jwt>', 'an OAuth 2 access token, sent as Bearer instead of a user (WARREN_TOKEN)').default(env.WARREN_TOKEN, 'from the environment').conflicts(['user', 'password']))
    .addOption(new Option('--timeout <ms>', 'give up on an answer after this long').argParser(positiveInt).default(30_000))
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const sub of [
    overviewCommand(io),
    nodesCommand(io),
    queuesCommand(io),
    exchangesCommand(io),
    bindingsCommand(io),
    publishCommand(io),
    browseCommand(io),
    redriveCommand(io),
    redrivesCommand(io),
    policiesCommand(io),
    definitionsCommand(io),
    scheduledCommand(io),
    auditCommand(io),
    whoamiCommand(io),
    usersCommand(io),
    permissionsCommand(io),
    topicPermissionsCommand(io),
    vhostsCommand(io),
    connectionsCommand(io),
    completionCommand(io, () => root),
  ]) {
    root.addCommand(sub);
  }
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    command.commands.forEach(quiet);
  };
  quiet(root);
  return root;
}

/** Runs warrenctl with these arguments (without `node` and the script); resolves with the exit code. */
export async function run(argv: readonly string[], io: Io, env: Record<string, string | undefined> = {}): Promise<number> {
  try {
    await program(io, env).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliFailure) {
      io.err(`warrenctl: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`warrenctl: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.brokerError;
  }
}
