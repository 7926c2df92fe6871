/**
 * Definitions: `GET /api/definitions` exports the topology and policies as RabbitMQ's
 * definitions JSON, `POST /api/definitions` imports such a document and answers the warnings.
 * The format, its checks and the import itself are core's definitions.ts; this only waits for
 * the store before answering.
 */
import type { FastifyInstance } from 'fastify';
import type { Definitions, DefinitionsImportResult } from '@warren/protocol';
import { exportDefinitions, importDefinitions, type Broker } from '@warren/core';
import { VERSION } from '../../version.js';
import { written } from '../lookup.js';

/** Exports of big brokers run to megabytes; fastify's default limit is 1 MiB. */
const DEFINITIONS_BODY_LIMIT = 64 * 1024 * 1024;

export function definitionRoutes(app: FastifyInstance, broker: Broker): void {
  app.get('/api/definitions', async (): Promise<Definitions> => exportDefinitions(broker, { name: 'Warren', version: VERSION }));

  app.post('/api/definitions', { bodyLimit: DEFINITIONS_BODY_LIMIT }, async (request): Promise<DefinitionsImportResult> => {
    const result = importDefinitions(broker, request.body);
    await written(broker);
    return result;
  });
}
