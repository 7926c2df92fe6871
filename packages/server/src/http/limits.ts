/**
 * Path limits of the management API. fastify compares a path parameter's length, decoded, in
 * UTF-16 units, with `maxParamLength` (default 100, which refused names of 101 characters and
 * more). A name the protocol allows has 255 characters at most, each one or two UTF-16 units.
 */
import { WarrenError } from '@warren/protocol';

export const MAX_PARAM_LENGTH = 255 * 2;

/** fastify's errors before any route runs, as Warren errors where Warren has a better word. */
export function frameworkError(error: Error & { code?: string }): Error {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return new WarrenError('name_too_long', 'a name in the request path is longer than 255 characters');
  return error;
}
