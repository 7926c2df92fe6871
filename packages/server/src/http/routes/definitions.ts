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
import { httpActor } from '../../audit/user.js';
import { ACCESS_SECTIONS, exportAccess, stageAccess } from '../../auth/access-definitions.js';
import type { AccessControl } from '../../auth/access-control.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Users and permissions, when auth/ is installed: they travel with the definitions. */
    warrenAccess?: AccessControl;
  }
}

/** Exports of big brokers run to megabytes; fastify's default limit is 1 MiB. */
const DEFINITIONS_BODY_LIMIT = 64 * 1024 * 1024;

export function definitionRoutes(app: FastifyInstance, broker: Broker): void {
  const access = (): AccessControl | undefined => (app.hasDecorator('warrenAccess') ? app.warrenAccess : undefined);
  app.get('/api/definitions', { config: { doc: { summary: 'Export the definitions (RabbitMQ format)' } } }, async (): Promise<Definitions> => {
    const registry = access()?.registry;
    return { ...exportDefinitions(broker, { name: 'Warren', version: VERSION }), ...(registry === undefined ? {} : exportAccess(registry)) };
  });

  app.post('/api/definitions', { bodyLimit: DEFINITIONS_BODY_LIMIT, config: { doc: { summary: 'Import definitions (?prune=true, ?mode=diff)', body: DEFINITIONS_SCHEMA, query: DEFINITIONS_QUERY_SCHEMA } } }, async (request): Promise<DefinitionsImportResult | DefinitionsDiff> => {
    const query = parseDefinitionsQuery(request.query ?? {});
    const options = { prune: query.prune === 'true', force: query.force === 'true' };
    const registry = access()?.registry;
    const importedElsewhere = registry === undefined ? [] : ACCESS_SECTIONS;
    if (query.mode === 'diff') return diffDefinitionsImport(broker, request.body, { ...options, importedElsewhere });
    const applyAccess = registry === undefined ? undefined : await stageAccess(registry, broker, request.body);
    const result = importDefinitions(broker, request.body, { ...options, importedElsewhere });
    applyAccess?.();
    broker.audit.record({ ...httpActor(request), ...definitionsAudit(request.body, options, result) });
    await written(broker);
    return result;
  });
}
