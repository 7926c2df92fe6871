/**
 * `@warren/protocol/wire`: the wire contract without the validators, for code that speaks the
 * protocol but trusts the broker's frames (the client, in Node and in browsers): constants,
 * error registry, codec, header shortcuts, frame types. It loads no ajv and compiles nothing.
 */
export const SUBPROTOCOL = 'warren.v1';
export const PROTOCOL_VERSION = 1;
export const DEFAULT_PORT = 5680;
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

export * from './errors.js';
export * from './codec.js';
export { RepeatedHeaders } from './repeated-headers.js';
export { bytesAt, digitsAt, jsonIntegerAt } from './header-bytes.js';
export * from './json-depth.js';
export * from './json-text.js';
export * from './frames/connection.js';
export * from './frames/exchange.js';
export * from './frames/queue.js';
export * from './frames/publish.js';
export * from './frames/consume.js';
export * from './frames/policy.js';
export * from './frames/browse.js';
export * from './frames/scheduled.js';
