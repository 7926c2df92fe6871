/**
 * A Vite plugin that turns the broker's own policy JSON Schema (POLICY_BODY_SCHEMA from
 * @warren/protocol) into validation code at build time with ajv's standalone mode. The UI so
 * checks a policy exactly as the broker will, with no schema compiled in the browser: ajv's
 * run-time compiler needs `eval`, which the UI's Content-Security-Policy forbids, and it would
 * cost the first load its weight.
 */
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { POLICY_BODY_SCHEMA } from '@warren/protocol';
import type { Plugin } from 'vite';

const ID = 'virtual:policy-schema';

export function policyValidator(): Plugin {
  return {
    name: 'warren-policy-validator',
    resolveId: (id) => (id === ID ? `\0${ID}` : undefined),
    load(id) {
      if (id !== `\0${ID}`) return undefined;
      const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, code: { source: true, esm: true } });
      ajv.addSchema(POLICY_BODY_SCHEMA, 'policy');
      return esmRuntime(standaloneCode(ajv, { validatePolicyBody: 'policy' }));
    },
  };
}

/** ajv's standalone code still `require`s its small run-time helpers; the bundle wants imports. */
function esmRuntime(code: string): string {
  const imports: string[] = [];
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/g, (_all, path: string) => {
    const local = `runtime${imports.length}`;
    imports.push(`import * as ${local} from "${path}.js";`);
    return local;
  });
  return `${imports.join('')}${body}`;
}
