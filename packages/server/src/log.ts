/** The pino logger: one JSON line per event, to stdout. */
import { pino, type Logger as Pino } from 'pino';
import type { Config } from './config.js';

export type ServerLogger = Pino;

export function createLogger(config: Pick<Config, 'logLevel' | 'nodeId'>, destination?: pino.DestinationStream): ServerLogger {
  return pino({ level: config.logLevel, base: { node: config.nodeId } }, destination);
}
