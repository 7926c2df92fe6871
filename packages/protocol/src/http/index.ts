/** The management HTTP API's bodies and views, typed, with their schemas (for server, cli and admin). */
export type { BodyParser } from './body.js';
export * from './policy.js';
export * from './queue.js';
export * from './exchange.js';
export * from './definitions.js';
export * from './scheduled.js';
export * from './filter.js';
export * from './audit.js';
export * from './access.js';
