/**
 * `@warren/protocol/http`: the management HTTP API's bodies and views, typed, with their schemas
 * and parsers (for server, cli and admin). Importing it loads no ajv and compiles nothing; a
 * parser compiles its schema on first use, once `@warren/protocol/validation` is loaded.
 */
export type { BodyParser } from './body.js';
export * from './policy.js';
export * from './queue.js';
export * from './exchange.js';
export * from './definitions.js';
export * from './scheduled.js';
export * from './filter.js';
export * from './failures.js';
export * from './audit.js';
export * from './access.js';
export * from './rabbit-values.js';
export * from './list-query.js';
export * from './stats.js';
export * from './publish.js';
export * from './vhost.js';
export type { JsonSchema } from '../frames/schema.js';
export { QUEUE_SETTING_SCHEMAS, QUEUE_ARGUMENTS_SCHEMA, EXCHANGE_ARGUMENTS_SCHEMA, checkQueueArguments, checkExchangeArguments } from '../arguments.js';
export { compiledSchemaCount } from '../schema-compiler.js';
