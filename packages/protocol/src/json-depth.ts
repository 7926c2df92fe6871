/**
 * How deeply nested a JSON value may be. JSON.parse takes any depth, but JSON.stringify and
 * every recursive walk (canonical JSON, schema checks, the store's encoding) overflow the stack
 * somewhere past a few thousand levels: 40 KB of brackets would take a connection, or every
 * consumer of a queue, down. No message header, argument table or policy needs more than a few
 * levels, so anything deeper than MAX_JSON_DEPTH is refused where it enters.
 */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects or arrays more than `max` levels deep. */
export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (exceedsDepth(item, max - 1)) return true;
    return false;
  }
  for (const key in value) if (exceedsDepth((value as Record<string, unknown>)[key], max - 1)) return true;
  return false;
}
