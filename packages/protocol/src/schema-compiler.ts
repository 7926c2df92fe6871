/**
 * The seam between the schemas and the validator that runs them. Every schema here is compiled
 * on its first use, never at import, by a compiler that is plugged in: `validation.ts` plugs in
 * ajv, and the package's main entry loads it. So the browser entries (`@warren/protocol/http`,
 * `@warren/protocol/wire`) import no ajv and compile nothing; a page that wants to validate a
 * form loads `@warren/protocol/validation` when it needs it (docs/http-api.md, "Typed clients").
 */
import type { JsonSchema } from './frames/schema.js';

/** What a compiled schema looks like to its callers: ajv's validate function, in the part they read. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/** One failure, in ajv's shape (ErrorObject). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: unknown;
}

export type SchemaCompiler = (schema: JsonSchema) => SchemaValidator;

let compiler: SchemaCompiler | undefined;
let compiled = 0;

export function setSchemaCompiler(compile: SchemaCompiler): void {
  compiler = compile;
}

/** How many schemas have been compiled in this process (tests show that importing compiles none). */
export function compiledSchemaCount(): number {
  return compiled;
}

/** A function that returns the schema's validator, compiling it the first time it is asked for. */
export function compiledOnUse(schema: JsonSchema): () => SchemaValidator {
  let validate: SchemaValidator | undefined;
  return () => {
    if (validate !== undefined) return validate;
    if (compiler === undefined) {
      throw new Error("no schema compiler is loaded: import '@warren/protocol/validation' (or '@warren/protocol') before validating");
    }
    compiled++;
    return (validate = compiler(schema));
  };
}
