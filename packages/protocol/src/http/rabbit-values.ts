/**
 * Values RabbitMQ's management API takes in two spellings, so that its tools work unchanged:
 * `rabbitmqadmin` sends every flag as a string (`"durable": "true"`) and counts as strings
 * (`"count": "1"`), and RabbitMQ reads both (rabbit_mgmt_util:parse_bool/parse_int). Warren is
 * lenient exactly there and nowhere else; the schemas below still refuse anything else.
 */
import type { JsonSchema } from '../frames/schema.js';

/** `true`, `false`, `"true"` or `"false"`. */
export type BooleanLike = boolean | 'true' | 'false';

export const BOOLEAN_LIKE: JsonSchema = { enum: [true, false, 'true', 'false'] };

/** An integer in `[minimum, maximum]`, as a JSON number or as a string of decimal digits. */
export function integerLike(minimum: number, maximum: number): JsonSchema {
  return {
    anyOf: [
      { type: 'integer', minimum, maximum },
      { type: 'string', pattern: '^[0-9]{1,16}$' },
    ],
  };
}

export function asBoolean(value: BooleanLike | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === true || value === 'true';
}

export function asInteger(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : typeof value === 'number' ? value : Number(value);
}
