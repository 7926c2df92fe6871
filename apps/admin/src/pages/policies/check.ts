/**
 * Checks a policy body with the broker's own schema (compiled at build time, see
 * build/policy-validator.ts) and says what is wrong in the broker's words: the key, its value
 * and why.
 */
import type { ErrorObject } from 'ajv';
import { validatePolicyBody } from 'virtual:policy-schema';

function where(error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (path[0] === 'definition' && path[1] !== undefined) return `definition key '${path[1]}'${path.slice(2).map((p) => `[${p}]`).join('')}`;
  return path.length === 0 ? 'policy' : `field '${path.join('.')}'`;
}

export function policyProblems(body: unknown): string[] {
  if (validatePolicyBody(body)) return [];
  return (validatePolicyBody.errors ?? []).map((e) => {
    if (e.keyword === 'additionalProperties') return `${where(e)}: unknown key '${String(e.params.additionalProperty)}'`;
    if (e.keyword === 'required') return `${where(e)}: '${String(e.params.missingProperty)}' is required`;
    return `${where(e)}: ${e.message ?? 'is invalid'}`;
  });
}
