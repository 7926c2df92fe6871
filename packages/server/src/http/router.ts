/**
 * The management HTTP API (design.md, "Management HTTP API"): one file per resource under
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

export function registerRoutes(app: FastifyInstance, broker: Broker, listener: WebSocketListener, nodeId: string, logger?: Logger): void {
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

  overviewRoutes(app, broker, listener, nodeId);
  queueRoutes(app, broker);
  queueMessageRoutes(app, broker);
  exchangeRoutes(app, broker);
  bindingRoutes(app, broker);
  policyRoutes(app, broker);
  definitionRoutes(app, broker);
  redriveRoutes(app, broker);
  auditRoutes(app, broker);
  scheduledRoutes(app, broker);
}
