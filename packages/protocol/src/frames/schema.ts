/**
 * Small builders for the frames' JSON Schemas, so each frame family file reads as a list of
 * fields. Unknown fields are allowed and ignored: that is how a minor protocol version adds
 * optional fields without breaking older peers (docs/protocol.md, "Versioning").
 */
export type JsonSchema = Record<string, unknown>;

export const str = (maxLength = 255): JsonSchema => ({ type: 'string', maxLength });
export const bool: JsonSchema = { type: 'boolean' };
export const uint: JsonSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
export const requestId: JsonSchema = { type: 'integer', minimum: 0, maximum: 0xffffffff };
export const table: JsonSchema = { type: 'object', maxProperties: 1024 };

export function frame(type: string, properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties: { type: { const: type }, ...properties },
    required: ['type', ...required],
  };
}

/** A request: carries an `id` that its one reply (`ok` or `error`) echoes. */
export function request(type: string, properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return frame(type, { id: requestId, ...properties }, ['id', ...required]);
}

export const EXCHANGE_NAME = str(255);
export const QUEUE_NAME = str(255);
export const ROUTING_KEY = str(255);
