/** What every command needs, built from the global flags: the API, the output, --json and --vhost. */
import type { Command } from 'commander';
import { Api } from './api.js';
import { CliFailure, EXIT } from './exit-codes.js';
import type { Io } from './output.js';

export interface Context {
  api: Api;
  io: Io;
  json: boolean;
  vhost: string;
}

export interface GlobalFlags {
  url: string;
  vhost: string;
  json?: boolean;
  user?: string;
  password?: string;
  token?: string;
  timeout: number;
}

export function contextOf(command: Command, io: Io): Context {
  const flags = command.optsWithGlobals<GlobalFlags>();
  if (flags.password !== undefined && flags.user === undefined && flags.token === undefined) throw new CliFailure(EXIT.usage, '--password (WARREN_PASSWORD) needs --user (WARREN_USER)');
  return {
    api: new Api({ url: flags.url, user: flags.user, password: flags.password, token: flags.token, timeoutMs: flags.timeout }),
    io,
    json: flags.json === true,
    vhost: flags.vhost,
  };
}

/** commander passes the Command last to an action; this gets it with the positional arguments before it. */
export function lastCommand(args: unknown[]): Command {
  return args[args.length - 1] as Command;
}
