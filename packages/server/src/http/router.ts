/**
 * The management HTTP API (docs/http-api.md): one file per resource under
 * routes/ (LavinMQ's http/controller/), registered here, with the one error handler that turns
 * every failure into `{ error, reason }` and a JSON parser that takes an empty body as none
 * (RabbitMQ tools send `content-type: application/json` on bodiless DELETEs).
 */
import type { FastifyInstance } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { Broker, Logger } from '@warren/core';
import type { WebSocketListener } from '../ws/listener.js';
import { sendError } from './errors.js';
import { bindingRoutes } from './routes/bindings.js';
import { definitionRoutes } from './routes/definitions.js';
import { exchangeRoutes } from './routes/exchanges.js';
import { overviewRoutes } from './routes/overview.js';
import { policyRoutes } from './routes/policies.js';
import { queueMessageRoutes } from './routes/queue-messages.js';
import { queueRoutes } from './routes/queues.js';
import { redriveRoutes } from './routes/redrives.js';
import { auditRoutes } from './routes/audit.js';
import { scheduledRoutes } from './routes/scheduled.js';
import { vhostRoutes } from './routes/vhosts.js';
import { nodeRoutes } from './routes/nodes.js';
import { connectionRoutes } from './routes/connections.js';
import { exchangePublishRoutes } from './routes/exchange-publish.js';
import { openApiRoutes } from './routes/openapi.js';
import { vhostDefinitionRoutes } from './routes/vhost-definitions.js';
import { collectOpenApi } from './openapi.js';
import { startStatsSampler } from './stats-sampler.js';
import type { ApiContext } from './api-context.js';

export function registerRoutes(app: FastifyInstance, broker: Broker, listener: WebSocketListener, nodeId: string, logger?: Logger, cluster?: ApiContext['cluster']): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  app.setErrorHandler((error, request, reply) => sendError(reply, error, logger === undefined ? undefined : request.log));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new WarrenError('not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`)),
  );

  const context: ApiContext = { broker, listener, nodeId, logger, cluster };
  const openApi = collectOpenApi(app);
  const stopSampler = startStatsSampler(context);
  app.addHook('onClose', async () => stopSampler());

  overviewRoutes(app, context);
  nodeRoutes(app, context);
  vhostRoutes(app, context);
  connectionRoutes(app, context);
  queueRoutes(app, context);
  queueMessageRoutes(app, context);
  exchangeRoutes(app, context);
  exchangePublishRoutes(app, context);
  bindingRoutes(app, context);
  policyRoutes(app, broker);
  definitionRoutes(app, broker);
  vhostDefinitionRoutes(app, broker);
  redriveRoutes(app, broker);
  auditRoutes(app, broker);
  scheduledRoutes(app, broker);
  openApiRoutes(app, openApi);
}
