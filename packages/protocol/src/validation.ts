/**
 * Plugs ajv into the schema seam (schema-compiler.ts): one ajv instance for every schema of the
 * management API and the arguments, strict, with verbose errors so that an unknown key's error
 * can list the known ones. Imported by the main entry; browser code imports it only when it
 * validates (`await import('@warren/protocol/validation')`).
 */
import { Ajv } from 'ajv';
import { setSchemaCompiler } from './schema-compiler.js';

const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, verbose: true });

setSchemaCompiler((schema) => ajv.compile(schema));
