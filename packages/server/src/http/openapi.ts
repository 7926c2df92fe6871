/**
 * The OpenAPI 3.1 document of the management API (`GET /api/openapi.json`), generated from the
 * routes as registered: each route's `config.doc` names the very JSON Schemas its handler
 * validates with (protocol's http/*), so the document cannot drift from what is enforced.
 * Routes without a doc (health, the UI) are left out.
 */
import type { FastifyInstance } from 'fastify';
import type { JsonSchema } from '@warren/protocol';
import { VERSION } from '../version.js';

export interface RouteDoc {
  summary: string;
  /** The request body's schema, as its parser validates it. */
  body?: JsonSchema;
  /** The query's schema, as its parser validates it. */
  query?: JsonSchema;
  /** Extra request headers the route reads. */
  headers?: Record<string, string>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

interface DocumentedRoute {
  method: string;
  url: string;
  doc: RouteDoc;
}

/** Starts collecting routes: call before registering them. Returns the document's builder. */
export function collectOpenApi(app: FastifyInstance): () => object {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const doc = route.config?.doc;
    if (doc === undefined) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, doc });
    }
  });
  let built: object | undefined;
  return () => (built ??= openApiDocument(routes));
}

function openApiDocument(routes: readonly DocumentedRoute[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const { method, url, doc } of routes) {
    const path = url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: object[] = [...url.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
      ...(m[1] === 'vhost' ? { description: "the vhost's name, URL-encoded (%2F for /)" } : {}),
    }));
    const queryProperties = (doc.query?.properties ?? {}) as Record<string, JsonSchema>;
    for (const [name, schema] of Object.entries(queryProperties)) parameters.push({ name, in: 'query', required: false, schema });
    for (const [name, description] of Object.entries(doc.headers ?? {})) parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
    const operation: Record<string, unknown> = {
      summary: doc.summary,
      operationId: `${method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters,
      responses: {
        '2XX': { description: 'success' },
        default: { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (doc.body !== undefined) operation.requestBody = { required: false, content: { 'application/json': { schema: doc.body } } };
    (paths[path] ??= {})[method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Warren management API',
      version: VERSION,
      description: "Shaped after RabbitMQ's management API (docs/http-api.md). Request schemas are the ones the broker validates with.",
    },
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'reason'],
          properties: { error: { type: 'string', description: 'a stable code (docs/protocol.md)' }, reason: { type: 'string' } },
        },
      },
    },
  };
}
