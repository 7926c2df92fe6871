/** The management HTTP API's bodies and views, typed, with their schemas (for server, cli and admin). */
export type { BodyParser } from './body.js';
export * from './policy.js';
export * from './queue.js';
export * from './exchange.js';
export * from './definitions.js';
export * from './scheduled.js';
export * from './filter.js';
export * from './audit.js';
export * from './rabbit-values.js';
export * from './list-query.js';
export * from './stats.js';
export * from './publish.js';
export * from './vhost.js';
export type { JsonSchema } from '../frames/schema.js';
