/**
 * @warren/protocol: the wire contract shared by the server and the client, with every validator
 * (ajv, loaded here). Browser code that must not pay for ajv at load imports the entries
 * `@warren/protocol/wire` and `@warren/protocol/http` instead (schema-compiler.ts).
 */
import './validation.js';

export * from './wire.js';
export * from './validate.js';
export * from './arguments.js';
export * from './http/index.js';
export { setSchemaCompiler, type SchemaCompiler, type SchemaValidator, type SchemaError } from './schema-compiler.js';
