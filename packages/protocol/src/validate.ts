/**
 * Raw frames → typed frames. Every inbound frame type has a JSON Schema compiled once by ajv;
 * a frame that fails is turned into a WarrenError (`frame_unknown` or `frame_invalid`) that
 * still carries the request id or publish seq when those could be read, so the reply goes to the
 * right place. Bodies are opaque bytes and are never inspected here.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { WarrenError } from './errors.js';
import { exceedsDepth, MAX_JSON_DEPTH } from './json-depth.js';
import type { RawFrame } from './codec.js';
import { connectionSchemas, type AuthRefreshFrame, type CloseFrame, type HeartbeatFrame, type HelloFrame } from './frames/connection.js';
import { exchangeSchemas, type ExchangeBindFrame, type ExchangeDeclareFrame, type ExchangeDeleteFrame } from './frames/exchange.js';
import { queueSchemas, type QueueBindFrame, type QueueDeclareFrame, type QueueDeleteFrame, type QueuePurgeFrame } from './frames/queue.js';
import { publishSchemas, type PublishFrame } from './frames/publish.js';
import {
  consumeSchemas,
  type AckFrame,
  type CancelFrame,
  type ConsumeFrame,
  type ExtendFrame,
  type NackFrame,
  type RejectFrame,
  type RetryFrame,
} from './frames/consume.js';
import { policySchemas, type PolicyDeclareFrame, type PolicyDeleteFrame, type PolicyListFrame } from './frames/policy.js';
import { scheduledSchemas, type ScheduledCancelFrame, type ScheduledListFrame, type ScheduledRescheduleFrame } from './frames/scheduled.js';
import { browseSchemas, type QueueBrowseFrame } from './frames/browse.js';
import type { JsonSchema } from './frames/schema.js';

/** Every frame a client may send. A publish's body stays beside it, in the RawFrame. */
export type ClientFrame =
  | HelloFrame
  | HeartbeatFrame
  | CloseFrame
  | AuthRefreshFrame
  | ExchangeDeclareFrame
  | ExchangeDeleteFrame
  | ExchangeBindFrame
  | QueueDeclareFrame
  | QueueBindFrame
  | QueuePurgeFrame
  | QueueDeleteFrame
  | QueueBrowseFrame
  | PublishFrame
  | ConsumeFrame
  | CancelFrame
  | AckFrame
  | NackFrame
  | RejectFrame
  | RetryFrame
  | ExtendFrame
  | PolicyDeclareFrame
  | PolicyDeleteFrame
  | PolicyListFrame
  | ScheduledListFrame
  | ScheduledCancelFrame
  | ScheduledRescheduleFrame;

export const CLIENT_FRAME_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ...connectionSchemas,
  ...exchangeSchemas,
  ...queueSchemas,
  ...publishSchemas,
  ...consumeSchemas,
  ...policySchemas,
  ...browseSchemas,
  ...scheduledSchemas,
};

const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false });
const validators = new Map<string, ValidateFunction>(
  Object.entries(CLIENT_FRAME_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
);

/** Validates one frame sent by a client. Throws WarrenError `frame_unknown` / `frame_invalid`. */
export function parseClientFrame(raw: RawFrame): ClientFrame {
  const header = raw.header;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new WarrenError('frame_invalid', 'a frame header must be a JSON object');
  }
  const fields = header as Record<string, unknown>;
  if (exceedsDepth(fields)) {
    throw new WarrenError('frame_invalid', `a frame header may nest at most ${MAX_JSON_DEPTH} levels`, { context: contextOf(fields) });
  }
  const type = fields.type;
  const validate = typeof type === 'string' ? validators.get(type) : undefined;
  if (validate === undefined) {
    throw new WarrenError('frame_unknown', `unknown frame type ${JSON.stringify(type)}`, { context: contextOf(fields) });
  }
  if (!validate(fields)) {
    const error = validate.errors?.[0];
    const where = error?.instancePath ? `${error.instancePath.slice(1).replaceAll('/', '.')} ` : '';
    throw new WarrenError('frame_invalid', `${type}: ${where}${error?.message ?? 'is invalid'}`, { context: contextOf(fields) });
  }
  // Returned as parsed, never given a field of its own: a header that repeats another is a copy
  // of that one's object (repeated-headers.ts), and adding a field to such copies costs V8 more than the parse it saved.
  return fields as unknown as ClientFrame;
}

function contextOf(fields: Record<string, unknown>): { id?: number; seq?: number } {
  const context: { id?: number; seq?: number } = {};
  if (Number.isSafeInteger(fields.id)) context.id = fields.id as number;
  if (fields.type === 'publish' && Number.isSafeInteger(fields.seq)) context.seq = fields.seq as number;
  return context;
}
