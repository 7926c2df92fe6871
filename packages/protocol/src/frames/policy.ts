/**
 * Policy family: the client's way to manage the policies of its connection's vhost, the same
 * objects as `PUT/GET/DELETE /api/policies/{vhost}/{name}` (RabbitMQ's shape). The policy body
 * is checked by the management API's schema (http/policy.ts), so both paths give one error text.
 */
import { request, str, type JsonSchema } from './schema.js';
import type { PolicyBody } from '../http/policy.js';

export interface PolicyDeclareFrame {
  type: 'policy.declare';
  id: number;
  name: string;
  policy: PolicyBody;
}

export interface PolicyDeleteFrame {
  type: 'policy.delete';
  id: number;
  name: string;
}

/** Answered by `ok { policies: PolicyView[] }`. */
export interface PolicyListFrame {
  type: 'policy.list';
  id: number;
}

export const policySchemas: Record<string, JsonSchema> = {
  'policy.declare': request('policy.declare', { name: str(), policy: { type: 'object' } }, ['name', 'policy']),
  'policy.delete': request('policy.delete', { name: str() }, ['name']),
  'policy.list': request('policy.list', {}),
};
