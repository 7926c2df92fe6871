/**
 * Start-up failures an operator can fix, as one line naming the cause and the fix, with an exit
 * code per cause (docs/operations.md, "Exit codes"). Anything else is a bug and keeps its stack.
 */
import type { Config } from '../config.js';

export const EXIT_CONFIG = 2;
export const EXIT_LISTEN = 3;
export const EXIT_DATA_DIR = 4;

export interface StartupFailure {
  exitCode: number;
  message: string;
}

interface CodedError {
  code?: unknown;
  cause?: unknown;
  message?: unknown;
}

const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as CodedError).code : undefined);

export function startupFailure(error: unknown, config: Config): StartupFailure | undefined {
  const where = `${config.host}:${config.port}`;
  switch (codeOf(error)) {
    case 'EADDRINUSE':
      return { exitCode: EXIT_LISTEN, message: `port ${where} is already in use (another broker?): stop that process, or choose another port with --port or WARREN_PORT` };
    case 'EACCES':
      return { exitCode: EXIT_LISTEN, message: `not allowed to listen on ${where}: use a port above 1023, or give the process the right to bind low ports` };
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return { exitCode: EXIT_LISTEN, message: `cannot listen on ${where}: the address is not one of this machine's; set --host or WARREN_HOST` };
    case 'LEVEL_DATABASE_NOT_OPEN':
      return storeFailure((error as CodedError).cause, config.dataDir);
    default:
      return undefined;
  }
}

function storeFailure(cause: unknown, dataDir: string): StartupFailure {
  if (codeOf(cause) === 'LEVEL_LOCKED') {
    return { exitCode: EXIT_DATA_DIR, message: `data directory ${dataDir} is in use by another Warren process: stop that broker, or choose another directory with --data-dir or WARREN_DATA_DIR` };
  }
  const detail = typeof cause === 'object' && cause !== null && typeof (cause as CodedError).message === 'string' ? (cause as CodedError).message : String(cause);
  return { exitCode: EXIT_DATA_DIR, message: `cannot open the data directory ${dataDir} (${detail as string}): check that it exists or can be created and that this user may write to it` };
}
