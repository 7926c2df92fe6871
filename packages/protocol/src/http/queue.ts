/**
 * Queues in the management API: the view `GET /api/queues…` returns, and the bodies of declare
 * (`PUT`), browse (`POST …/get`) and Warren's redrive (`POST …/redrive`). Field names are
 * RabbitMQ's where it has the endpoint; Warren's additions are marked. Queue arguments are
 * checked by arguments.ts, not here.
 */
import type { JsonSchema } from '../frames/schema.js';
import type { PolicyDefinition } from './policy.js';
import type { MessageStatsView, RateDetails } from './stats.js';
import { WarrenError } from '../errors.js';
import { bodyParser } from './body.js';
import { asBoolean, asInteger, BOOLEAN_LIKE, integerLike, type BooleanLike } from './rabbit-values.js';
import { REDRIVE_FILTER_SCHEMA, type RedriveFilter } from './filter.js';

export interface QueueView {
  name: string;
  vhost: string;
  durable: boolean;
  exclusive: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
  type: string;
  /** The name of the policy that applies, or null. */
  policy: string | null;
  /** The applied policy's definition ({} when none). */
  effective_policy_definition: PolicyDefinition;
  /** Warren: what the queue does after merging arguments and policy (docs/policies.md), kebab-case keys. */
  effective_settings: Record<string, unknown>;
  messages: number;
  messages_ready: number;
  messages_unacknowledged: number;
  messages_ram: number;
  messages_paged_out: number;
  /** How fast `messages`, `messages_ready`, `messages_unacknowledged` grew per second over the last sampling interval (negative: shrank). */
  messages_details: RateDetails;
  messages_ready_details: RateDetails;
  messages_unacknowledged_details: RateDetails;
  /** RabbitMQ's name for messages_ram. */
  messages_ready_ram: number;
  /** Body bytes of the ready messages (unacknowledged ones are not counted). */
  message_bytes: number;
  message_bytes_ready: number;
  consumers: number;
  /** As consumer_utilisation, 0 without consumers (RabbitMQ 3.12's name). */
  consumer_capacity: number;
  /** Fraction (0 to 1) of the last minute's samples at which the queue could hand a message to a consumer at once; null without consumers. */
  consumer_utilisation: number | null;
  exclusive_consumer_tag: string | null;
  /** With x-single-active-consumer: the consumer that gets the queue's messages (the others wait); null otherwise or without consumers. */
  single_active_consumer_tag: string | null;
  /** The node the queue lives on. */
  node: string;
  state: 'running';
  operator_policy: null;
  /** publish, deliver, deliver_no_ack, get, get_no_ack, deliver_get, ack, redeliver, each with its `_details.rate`. */
  message_stats: MessageStatsView;
  /** ISO 8601 time of the queue's last publish, delivery or ack; present only while it is idle. */
  idle_since?: string;
}

/**
 * `PUT /api/queues/{vhost}/{name}`. RabbitMQ's `node` is accepted and ignored; its `queue_type`
 * (rabbitmqadmin's) is the `x-queue-type` argument. Flags may be `"true"` / `"false"` strings.
 */
export interface QueueDeclareBody {
  /** Default true. */
  durable?: BooleanLike;
  auto_delete?: BooleanLike;
  arguments?: Record<string, unknown>;
  queue_type?: string;
}

export const QUEUE_DECLARE_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    durable: BOOLEAN_LIKE,
    auto_delete: BOOLEAN_LIKE,
    arguments: { type: 'object', maxProperties: 1024 },
    queue_type: { enum: ['classic', 'quorum', 'replicated'] },
    node: { type: 'string' },
    vhost: { type: 'string' },
    name: { type: 'string' },
  },
};

/** A queue declare with its defaults filled in: what the broker declares. */
export interface QueueDeclareRequest {
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}

const parseDeclare = bodyParser<QueueDeclareBody>(QUEUE_DECLARE_BODY_SCHEMA);

export function parseQueueDeclareBody(body: unknown): QueueDeclareRequest {
  const parsed = parseDeclare(body);
  const args = { ...(parsed.arguments ?? {}) };
  if (parsed.queue_type !== undefined) args['x-queue-type'] ??= parsed.queue_type;
  return { durable: asBoolean(parsed.durable, true), auto_delete: asBoolean(parsed.auto_delete, false), arguments: args };
}

export type AckMode = 'ack_requeue_true' | 'ack_requeue_false' | 'reject_requeue_true' | 'reject_requeue_false';

/**
 * `POST /api/queues/{vhost}/{name}/get`. RabbitMQ's fields, plus Warren's `mode` and `offset`:
 * `peek` browses without consuming or reordering (what the `*_requeue_true` ack modes mean here),
 * `take` removes the messages (the `*_requeue_false` ack modes). Default: peek one message.
 */
export interface QueueGetBody {
  /** A number, or a string of digits as rabbitmqadmin sends it. */
  count?: number | string;
  ackmode?: AckMode;
  /** `auto` (default): a payload that is valid UTF-8 is shown as a string, any other as base64. */
  encoding?: 'auto' | 'base64';
  /** Show at most this many bytes of each payload (`payload_bytes` still tells the full size). */
  truncate?: number | string;
  mode?: 'peek' | 'take';
  /** Peek only: skip this many ready messages first (paging); with a filter, this many matching ones. */
  offset?: number;
  /** Peek only (Warren): only the messages that match (filter.ts), dead-letter fields included, as redrive's. */
  filter?: RedriveFilter;
}

export const MAX_GET_COUNT = 10_000;

export const QUEUE_GET_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    count: integerLike(1, MAX_GET_COUNT),
    ackmode: { enum: ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'] },
    encoding: { enum: ['auto', 'base64'] },
    truncate: integerLike(0, Number.MAX_SAFE_INTEGER),
    mode: { enum: ['peek', 'take'] },
    offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    filter: REDRIVE_FILTER_SCHEMA,
    // Sent by RabbitMQ's UI and tools; Warren reads the queue's name from the URL.
    vhost: { type: 'string' },
    name: { type: 'string' },
    queue: { type: 'string' },
  },
};

/** A `…/get` body with its defaults filled in and its ack mode turned into a mode. */
export interface QueueGetRequest {
  mode: 'peek' | 'take';
  /** For `take`: reject_requeue_false dead-letters what it takes (reason `rejected`); the ack modes drop it. */
  reject: boolean;
  count: number;
  offset: number;
  encoding: 'auto' | 'base64';
  truncate: number | undefined;
  filter: RedriveFilter | undefined;
}

const parseGet = bodyParser<QueueGetBody>(QUEUE_GET_BODY_SCHEMA);

export function parseQueueGetBody(body: unknown): QueueGetRequest {
  const parsed = parseGet(body);
  const fromAckMode = parsed.ackmode === undefined ? undefined : parsed.ackmode.endsWith('_requeue_true') ? 'peek' : 'take';
  if (parsed.mode !== undefined && fromAckMode !== undefined && parsed.mode !== fromAckMode) {
    throw new WarrenError('invalid_argument', `mode '${parsed.mode}' contradicts ackmode '${parsed.ackmode}'`);
  }
  const mode = parsed.mode ?? fromAckMode ?? 'peek';
  const offset = parsed.offset ?? 0;
  if (mode === 'take' && offset > 0) throw new WarrenError('invalid_argument', "'offset' pages a peek; take always starts at the head");
  if (mode === 'take' && parsed.filter !== undefined) throw new WarrenError('invalid_argument', "'filter' searches with a peek; take always takes the head");
  const count = asInteger(parsed.count) ?? 1;
  if (count < 1 || count > MAX_GET_COUNT) throw new WarrenError('invalid_argument', `field 'count' = ${count}: must be between 1 and ${MAX_GET_COUNT}`);
  const reject = parsed.ackmode === 'reject_requeue_false';
  return { mode, reject, count, offset, encoding: parsed.encoding ?? 'auto', truncate: asInteger(parsed.truncate), filter: parsed.filter };
}

/** One message as `…/get` shows it: RabbitMQ's fields plus Warren's `id`, `seq`, `delivery_count`. */
export interface BrowsedMessage {
  payload: string;
  /** The full body's size, before any truncation. */
  payload_bytes: number;
  payload_encoding: 'string' | 'base64';
  redelivered: boolean;
  exchange: string;
  routing_key: string;
  /** Ready messages behind this one in the queue. */
  message_count: number;
  /** AMQP basic properties, snake_case, with `delivery_mode` (2 = persistent) and `headers`. */
  properties: Record<string, unknown> & { headers: Record<string, unknown> };
  id: string;
  seq: number;
  delivery_count: number;
}

/**
 * `POST /api/queues/{vhost}/{name}/redrive` (Warren). `to` is `"origin"` (the default: each
 * message goes back to the queue it last died in, its newest `x-death` entry) or an exchange
 * with an optional routing key (default: the message's own). `ids` moves those messages at once
 * and answers `RedriveResult`; otherwise the redrive runs as a job (`202 {id}`, see
 * `RedriveJobView`) over the messages matching `filter`, at most `count`, at most `rate` per
 * second; `dry_run` moves nothing and answers `RedrivePlanView`.
 */
export interface RedriveBody {
  to?: 'origin' | { exchange: string; routing_key?: string };
  filter?: RedriveFilter;
  count?: number;
  rate?: number;
  dry_run?: boolean;
  ids?: string[];
}

export interface RedriveResult {
  moved: number;
  /** Messages left where they are: no x-death to follow, or a target that no longer exists. */
  skipped: number;
}

/** Where one group of matching messages would go: a queue (origin), an exchange, or nowhere (null: they stay). */
export interface RedriveGroupView {
  to: { queue: string } | { exchange: string; routing_key?: string } | null;
  count: number;
}

export interface RedrivePlanView {
  dry_run: true;
  matched: number;
  groups: RedriveGroupView[];
}

/** `GET /api/redrives/{id}`: a redrive job and its progress. */
export interface RedriveJobView {
  id: string;
  vhost: string;
  queue: string;
  state: 'running' | 'completed' | 'stopped' | 'failed';
  /** Messages that matched when the job started (at most `count`); null while it is still counting. */
  matched: number | null;
  moved: number;
  /** Matching messages left in place because they had nowhere to go. */
  skipped: number;
  /** Matching messages not handled yet (0 once completed; some may have been consumed meanwhile). */
  remaining: number | null;
  filter: RedriveFilter | null;
  to: 'origin' | { exchange: string; routing_key?: string };
  count: number | null;
  rate: number | null;
  created_at: string;
  updated_at: string;
  error?: string;
}

const TO_SCHEMA: JsonSchema = {
  if: { type: 'string' },
  then: { enum: ['origin'] },
  else: {
    type: 'object',
    additionalProperties: false,
    required: ['exchange'],
    properties: { exchange: { type: 'string', maxLength: 255 }, routing_key: { type: 'string', maxLength: 255 } },
  },
};

export const REDRIVE_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    to: TO_SCHEMA,
    filter: REDRIVE_FILTER_SCHEMA,
    count: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    rate: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
    dry_run: { type: 'boolean' },
    ids: { type: 'array', minItems: 1, maxItems: 100_000, items: { type: 'string', minLength: 1, maxLength: 255 } },
  },
};

const parseRedrive = bodyParser<RedriveBody>(REDRIVE_BODY_SCHEMA);

export function parseRedriveBody(body: unknown): RedriveBody {
  const parsed = parseRedrive(body);
  if (parsed.ids !== undefined) {
    for (const field of ['count', 'filter', 'rate', 'dry_run'] as const) {
      if (parsed[field] !== undefined) throw new WarrenError('invalid_argument', `give 'ids' or '${field}', not both`);
    }
  }
  return parsed;
}
