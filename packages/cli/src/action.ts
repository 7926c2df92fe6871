/** Wraps a command's work: builds its Context from the global flags, hands it the positional arguments and its own flags. */
import type { Command } from 'commander';
import { contextOf, type Context } from './context.js';
import type { Io } from './output.js';

// Flags are typed per command by commander's declarations, which it does not carry into the action.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Flags = Record<string, any>;
export type Work = (context: Context, args: string[], flags: Flags) => Promise<void>;

export function act(io: Io, work: Work): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    await work(contextOf(command, io), args.slice(0, -2) as string[], command.opts());
  };
}
