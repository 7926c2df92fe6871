/**
 * WARREN_DEFINITIONS: a definitions file (RabbitMQ's JSON format, docs/definitions.md) imported
 * at every boot, after recovery and before the port opens. Declares are idempotent, so booting
 * again with the same file changes nothing; a file that cannot be read, parsed or imported stops
 * the boot with a message naming the file. Warnings are logged, one line each.
 */
import { readFile } from 'node:fs/promises';
import { importDefinitions, type Broker, type Logger } from '@warren/core';
import { ACCESS_SECTIONS, stageAccess } from './auth/access-definitions.js';
import type { AccessRegistry } from './auth/access-registry.js';

/** With `registry`, the file's users and permissions are imported too (RabbitMQ's load_definitions seeds them). */
export async function importDefinitionsFile(broker: Broker, path: string, logger: Logger, registry?: AccessRegistry): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new Error(`cannot read definitions file ${path}: ${(cause as Error).message}`, { cause });
  }
  let warnings: string[];
  try {
    const applyAccess = registry === undefined ? undefined : await stageAccess(registry, broker, parsed);
    ({ warnings } = importDefinitions(broker, parsed, { importedElsewhere: registry === undefined ? [] : ACCESS_SECTIONS }));
    applyAccess?.();
  } catch (cause) {
    throw new Error(`cannot import definitions file ${path}: ${(cause as Error).message}`, { cause });
  }
  await new Promise<void>((resolve, reject) => broker.afterWrites((error) => (error ? reject(error) : resolve())));
  for (const warning of warnings) logger.warn({ file: path }, `definitions: ${warning}`);
  logger.info({ file: path, warnings: warnings.length }, 'imported definitions');
}
