/** `GET /api/openapi.json`: the management API's OpenAPI document (openapi.ts builds it from the registered routes). */
import type { FastifyInstance } from 'fastify';

export function openApiRoutes(app: FastifyInstance, document: () => object): void {
  app.get('/api/openapi.json', async () => document());
}
