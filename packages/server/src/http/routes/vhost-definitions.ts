/**
 * One vhost's definitions, RabbitMQ's `GET/POST /api/definitions/{vhost}` (what `rabbitmqadmin
 * -V <vhost> export|import` calls): the export keeps that vhost's policies, exchanges, queues and
 * bindings without their `vhost` field; an import puts every entry into the vhost of the URL.
 * The format and the import itself are core's definitions*.ts, as for the whole broker.
 */
import type { FastifyInstance } from 'fastify';
import { DEFINITIONS_QUERY_SCHEMA, DEFINITIONS_SCHEMA, parseDefinitionsQuery, type DefinitionsDiff, type DefinitionsImportResult } from '@warren/protocol';
import { diffDefinitionsImport, exportDefinitions, importDefinitions, type Broker } from '@warren/core';
import { VERSION } from '../../version.js';
import { vhostOf, written, type VHostParams } from '../lookup.js';
import { definitionsAudit } from '../../audit/definitions.js';
import { httpActor } from '../../audit/user.js';

const SECTIONS = ['policies', 'exchanges', 'queues', 'bindings'] as const;
const DEFINITIONS_BODY_LIMIT = 64 * 1024 * 1024;

export function vhostDefinitionRoutes(app: FastifyInstance, broker: Broker): void {
  app.get<{ Params: VHostParams }>('/api/definitions/:vhost', { config: { doc: { summary: "Export one vhost's definitions (RabbitMQ format)" } } }, async (request) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const all = exportDefinitions(broker, { name: 'Warren', version: VERSION }) as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {
      rabbit_version: all.rabbit_version,
      rabbitmq_version: all.rabbitmq_version,
      product_name: all.product_name,
      product_version: all.product_version,
      parameters: [],
    };
    for (const section of SECTIONS) {
      out[section] = ((all[section] ?? []) as Record<string, unknown>[]).filter((e) => e.vhost === vhost.name).map(({ vhost: _vhost, ...rest }) => rest);
    }
    return out;
  });

  app.post<{ Params: VHostParams }>(
    '/api/definitions/:vhost',
    { bodyLimit: DEFINITIONS_BODY_LIMIT, config: { doc: { summary: "Import definitions into one vhost (entries' vhost fields are replaced by it)", body: DEFINITIONS_SCHEMA, query: DEFINITIONS_QUERY_SCHEMA } } },
    async (request): Promise<DefinitionsImportResult | DefinitionsDiff> => {
      const vhost = vhostOf(broker, request.params.vhost);
      const query = parseDefinitionsQuery(request.query ?? {});
      const options = { prune: query.prune === 'true', force: query.force === 'true' };
      const body = intoVHost(request.body, vhost.name);
      if (query.mode === 'diff') return diffDefinitionsImport(broker, body, options);
      const result = importDefinitions(broker, body, options);
      broker.audit.record({ ...httpActor(request), ...definitionsAudit(body, options, result) });
      await written(broker);
      return result;
    },
  );
}

/** The document with every entry of the sections Warren imports moved into `vhost`; anything malformed is left for the import to refuse. */
function intoVHost(body: unknown, vhost: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { vhosts: _vhosts, ...document } = body as Record<string, unknown>;
  for (const section of SECTIONS) {
    const entries = document[section];
    if (!Array.isArray(entries)) continue;
    document[section] = entries.map((e: unknown) => (typeof e === 'object' && e !== null && !Array.isArray(e) ? { ...e, vhost } : e));
  }
  return document;
}
