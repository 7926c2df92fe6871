/**
 * Issue 22, point 5: the browser entries `@warren/protocol/http` and `@warren/protocol/wire`, and
 * the client built on them, load no ajv and compile no schema at import; a page that validates
 * loads `@warren/protocol/validation` when it needs to, and the same parsers then work. Runs the
 * built packages in a fresh Node process, whose CommonJS cache shows whether ajv was loaded.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// From the client package, where both @warren/client's and @warren/protocol's entries resolve as a user's code would.
const CLIENT_DIR = fileURLToPath(new URL('../../packages/client/', import.meta.url));

const PROBE = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const ajvLoaded = () => Object.keys(require.cache).some((path) => /[\\\\/]ajv[\\\\/]/.test(path));
const report = {};
const http = await import('@warren/protocol/http');
await import('@warren/protocol/wire');
await import('@warren/client');
report.afterImport = { ajvLoaded: ajvLoaded(), compiled: http.compiledSchemaCount(), schema: typeof http.QUEUE_DECLARE_BODY_SCHEMA };
try { http.parseQueueDeclareBody({}); report.parsedWithoutValidation = true; } catch (error) { report.withoutValidation = error.message; }
await import('@warren/protocol/validation');
report.parsed = http.parseQueueDeclareBody({ durable: 'false' });
try { http.parseQueueDeclareBody({ durable: 'no' }); } catch (error) { report.refused = error.code; }
report.afterValidation = { ajvLoaded: ajvLoaded(), compiled: http.compiledSchemaCount() };
console.log(JSON.stringify(report));
`;

function probe(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: CLIENT_DIR, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

describe('browser entries', () => {
  it('load no ajv and compile nothing at import; validation loads on demand and the same parsers then work', async () => {
    const report = await probe();
    expect(report.afterImport).toEqual({ ajvLoaded: false, compiled: 0, schema: 'object' });
    expect(report.withoutValidation).toContain("import '@warren/protocol/validation'");
    expect(report.parsed).toEqual({ durable: false, auto_delete: false, arguments: {} });
    expect(report.refused).toBe('invalid_argument');
    expect(report.afterValidation).toEqual({ ajvLoaded: true, compiled: 1 });
  });
});
