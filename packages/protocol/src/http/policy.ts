/**
 * Policies in the management API, exactly RabbitMQ's shape: `PUT /api/policies/{vhost}/{name}`
 * takes `{ pattern, apply-to, priority, definition }`. The definition's keys are RabbitMQ's
 * (docs/policies.md) plus Warren's retry keys; an unknown key is refused, as RabbitMQ refuses it,
 * and an error names the key, its value and why. Applying a policy is the core's job.
 */
import { QUEUE_SETTING_SCHEMAS } from '../arguments.js';
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser, type FieldNamer } from './body.js';

export type PolicyApplyTo = 'queues' | 'exchanges' | 'all';

export interface PolicyDefinition {
  'dead-letter-exchange'?: string;
  'dead-letter-routing-key'?: string;
  /** ms */
  'message-ttl'?: number;
  /** ms a queue may stay unused before it is deleted */
  expires?: number;
  'max-length'?: number;
  'max-length-bytes'?: number;
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
  'delivery-limit'?: number;
  'alternate-exchange'?: string;
  /** Warren: a ladder of delays in ms (the last one repeats). */
  'retry-delays'?: number[];
  /** Warren: exponential back-off, used when there is no ladder. */
  'retry-initial-delay'?: number;
  'retry-multiplier'?: number;
  'retry-max-delay'?: number;
  /** Warren: 0..1, each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  'retry-jitter'?: number;
  /** Warren: deliveries in all, the first included, before the message is dead-lettered. */
  'retry-max-attempts'?: number;
}

/** The body of `PUT /api/policies/{vhost}/{name}`. `vhost` and `name`, if sent, are ignored (the URL names the policy). */
export interface PolicyBody {
  pattern: string;
  /** Default `all`. */
  'apply-to'?: PolicyApplyTo;
  /** Default 0; of several matching policies the highest priority applies. */
  priority?: number;
  definition: PolicyDefinition;
}

/** A policy as `GET /api/policies…` and the definitions export show it. */
export interface PolicyView {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': PolicyApplyTo;
  priority: number;
  definition: PolicyDefinition;
}

export const POLICY_DEFINITION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { ...QUEUE_SETTING_SCHEMAS, 'alternate-exchange': { type: 'string', maxLength: 255 } },
} as const satisfies JsonSchema;

/** Every definition key Warren knows, in the schema's order. */
export const POLICY_DEFINITION_KEYS: readonly string[] = Object.keys(POLICY_DEFINITION_SCHEMA.properties);

export const POLICY_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pattern', 'definition'],
  properties: {
    pattern: { type: 'string', maxLength: 1024 },
    'apply-to': { enum: ['queues', 'exchanges', 'all'] },
    priority: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
    definition: POLICY_DEFINITION_SCHEMA,
    // Sent back by tools that PUT what they GET; the URL names the policy.
    vhost: { type: 'string' },
    name: { type: 'string' },
  },
};

const policyField: FieldNamer = (path) => {
  const [first, key, ...rest] = path;
  if (first === 'definition' && key !== undefined) return `definition key '${key}'${rest.map((i) => `[${i}]`).join('')}`;
  return `field '${path.join('.')}'`;
};

/** Checks a policy body; throws WarrenError `invalid_argument` naming the bad key and why. */
export const parsePolicyBody = bodyParser<PolicyBody>(POLICY_BODY_SCHEMA, policyField);
