/**
 * The x-arguments Warren understands on queues and exchanges, with their types (RabbitMQ's
 * names and ranges). Unknown arguments are kept and ignored, as RabbitMQ does; a known one with
 * a wrong type or range is rejected with `invalid_argument` naming it.
 */
import { compiledOnUse, type SchemaValidator } from './schema-compiler.js';
import { WarrenError } from './errors.js';
import { MIN_ACK_LEASE_MS } from './frames/consume.js';

const nonNegative = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
const name = { type: 'string', maxLength: 255 };

/**
 * The queue settings that come both as an x-argument (`x-<key>`) and as a policy key (`<key>`,
 * http/policy.ts): one schema each, so the two spellings never drift apart.
 */
export const QUEUE_SETTING_SCHEMAS = {
  'dead-letter-exchange': name,
  'dead-letter-routing-key': name,
  'message-ttl': { type: 'integer', minimum: 0, maximum: 0xffffffff },
  expires: { type: 'integer', minimum: 1, maximum: 0xffffffff },
  'max-length': nonNegative,
  'max-length-bytes': nonNegative,
  overflow: { enum: ['drop-head', 'reject-publish', 'reject-publish-dlx'] },
  'delivery-limit': nonNegative,
  'retry-delays': { type: 'array', minItems: 1, maxItems: 50, items: { type: 'integer', minimum: 0, maximum: 0xffffffff } },
  'retry-initial-delay': { type: 'integer', minimum: 0, maximum: 0xffffffff },
  'retry-multiplier': { type: 'number', minimum: 1, maximum: 1000 },
  'retry-max-delay': { type: 'integer', minimum: 0, maximum: 0xffffffff },
  'retry-jitter': { type: 'number', minimum: 0, maximum: 1 },
  'retry-max-attempts': { type: 'integer', minimum: 1, maximum: 1_000_000 },
  'dedup-window': { type: 'integer', minimum: 0, maximum: 0xffffffff },
  'attempt-log-limit': { type: 'integer', minimum: 0, maximum: 1000 },
  'ack-timeout': { type: 'integer', minimum: MIN_ACK_LEASE_MS, maximum: 0xffffffff },
} as const;

export const QUEUE_ARGUMENTS_SCHEMA = {
  type: 'object',
  properties: {
    ...Object.fromEntries(Object.entries(QUEUE_SETTING_SCHEMAS).map(([key, schema]) => [`x-${key}`, schema])),
    'x-max-priority': { type: 'integer', minimum: 0, maximum: 255 },
    'x-queue-type': { enum: ['classic', 'quorum', 'replicated'] },
    'x-queue-mode': { enum: ['default', 'lazy'] },
    'x-single-active-consumer': { type: 'boolean' },
  },
};

export const EXCHANGE_ARGUMENTS_SCHEMA = {
  type: 'object',
  properties: {
    'alternate-exchange': { type: 'string', maxLength: 255 },
  },
} as const;

const queueArguments = compiledOnUse(QUEUE_ARGUMENTS_SCHEMA);
const exchangeArguments = compiledOnUse(EXCHANGE_ARGUMENTS_SCHEMA);

function check(validator: () => SchemaValidator, what: string, args: Record<string, unknown>): void {
  const validate = validator();
  if (validate(args)) return;
  const error = validate.errors?.[0];
  const key = error?.instancePath.slice(1).replaceAll('~1', '/').replaceAll('~0', '~') ?? '';
  const value = key ? JSON.stringify(args[key]) : '';
  const allowed = error?.params && 'allowedValues' in error.params ? ` (one of ${(error.params.allowedValues as unknown[]).join(', ')})` : '';
  throw new WarrenError('invalid_argument', `${what} argument '${key}' = ${value}: ${error?.message ?? 'invalid'}${allowed}`);
}

export function checkQueueArguments(args: Record<string, unknown>): void {
  check(queueArguments, 'queue', args);
}

export function checkExchangeArguments(args: Record<string, unknown>): void {
  check(exchangeArguments, 'exchange', args);
}
