/**
 * Definitions: `GET /api/definitions` exports the topology and policies as RabbitMQ's
 * definitions JSON, `POST /api/definitions` imports such a document and answers the warnings
 * (`?prune=true` also deletes what the document lacks; `?mode=diff` only answers what an import
 * would do). The format, its checks and the import itself are core's definitions*.ts; this
 * only reads the query and waits for the store before answering.
 */
import type { FastifyInstance } from 'fastify';
import { DEFINITIONS_QUERY_SCHEMA, DEFINITIONS_SCHEMA, parseDefinitionsQuery, type Definitions, type DefinitionsDiff, type DefinitionsImportResult } from '@warren/protocol';
import { diffDefinitionsImport, exportDefinitions, importDefinitions, type Broker } from '@warren/core';
import { VERSION } from '../../version.js';
import { written } from '../lookup.js';
import { definitionsAudit } from '../../audit/definitions.js';
import { httpUser } from '../../audit/user.js';

/** Exports of big brokers run to megabytes; fastify's default limit is 1 MiB. */
const DEFINITIONS_BODY_LIMIT = 64 * 1024 * 1024;

export function definitionRoutes(app: FastifyInstance, broker: Broker): void {
  app.get('/api/definitions', { config: { doc: { summary: 'Export the definitions (RabbitMQ format)' } } }, async (): Promise<Definitions> => exportDefinitions(broker, { name: 'Warren', version: VERSION }));

  app.post('/api/definitions', { bodyLimit: DEFINITIONS_BODY_LIMIT, config: { doc: { summary: 'Import definitions (?prune=true, ?mode=diff)', body: DEFINITIONS_SCHEMA, query: DEFINITIONS_QUERY_SCHEMA } } }, async (request): Promise<DefinitionsImportResult | DefinitionsDiff> => {
    const query = parseDefinitionsQuery(request.query ?? {});
    const options = { prune: query.prune === 'true', force: query.force === 'true' };
    if (query.mode === 'diff') return diffDefinitionsImport(broker, request.body, options);
    const result = importDefinitions(broker, request.body, options);
    broker.audit.record({ user: httpUser(request), ...definitionsAudit(request.body, options, result) });
    await written(broker);
    return result;
  });
}
