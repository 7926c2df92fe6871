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
  /** Warren: ms a publisher's message_id keeps a repeat out of the queue (docs/dedup.md); 0: off. */
  'dedup-window'?: number;
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

/**
 * Where an effective queue setting comes from (`effective_arguments`, docs/policies.md): the
 * queue's own `x-` argument, a policy (by name), or Warren's default.
 */
export type SettingSource = { type: 'argument' } | { type: 'policy'; name: string } | { type: 'default' };

export interface EffectiveArgument {
  value: unknown;
  source: SettingSource;
}

/** Policy key spelling (`message-ttl`, `retry-max-attempts`) → the value in effect and its source. */
export type EffectiveArguments = Record<string, EffectiveArgument>;

/** One effective key before and after a policy change; null where the key is not in effect. */
export interface EffectiveArgumentChange {
  old: EffectiveArgument | null;
  new: EffectiveArgument | null;
}

/** A queue a policy change would touch, in `PUT /api/policies/{vhost}/{name}?dry_run=true`'s answer. */
export interface PolicyDryRunQueue {
  name: string;
  /** Whether the policy, as sent, matches this queue. */
  matches: boolean;
  /** The policy the queue's `policy` field names, before and after. */
  policy: { old: string | null; new: string | null };
  /** Only the keys whose value or source would change. */
  changes: Record<string, EffectiveArgumentChange>;
}

/** The answer of `PUT /api/policies/{vhost}/{name}?dry_run=true`: nothing is changed. */
export interface PolicyDryRunResult {
  dry_run: true;
  /** Names of the queues and exchanges the policy, as sent, would match. */
  matched: { queues: string[]; exchanges: string[] };
  /** Queues whose effective settings or winning policy would change. */
  queues: PolicyDryRunQueue[];
}

export interface PolicyPutQuery {
  dry_run?: 'true' | 'false';
}

export const POLICY_PUT_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { dry_run: { enum: ['true', 'false'] } },
};

/** Checks the query string of `PUT /api/policies/{vhost}/{name}`; throws WarrenError `invalid_argument`. */
export const parsePolicyPutQuery = bodyParser<PolicyPutQuery>(POLICY_PUT_QUERY_SCHEMA, (path) => `query parameter '${path.join('.')}'`);
