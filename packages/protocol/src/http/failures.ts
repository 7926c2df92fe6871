/**
 * Dead-lettered messages grouped by why they died (Warren): `GET /api/queues/{vhost}/{name}/failures`
 * groups one dead-letter queue, `GET /api/failures/{vhost}` every dead-letter queue of the vhost.
 * Counts are exact: the whole queue is read. Each group carries the redrive filter
 * (filter.ts) that selects exactly its messages, for `POST …/get` and `POST …/redrive`.
 */
import type { JsonSchema } from '../frames/schema.js';
import { WarrenError } from '../errors.js';
import { bodyParser } from './body.js';
import type { RedriveFilter } from './filter.js';

export interface FailureGroupView {
  /** The dead-letter queue that holds the messages. */
  queue: string;
  /** The newest `x-death` entry's reason; null: the messages have no `x-death`. */
  reason: string | null;
  /** The queue they died in (the newest `x-death` entry's queue). */
  source_queue: string | null;
  /** The error of their last attempt (the newest `x-warren-attempts` entry); null: none given. */
  last_error: string | null;
  count: number;
  /** When the oldest and the newest of them died (ISO 8601; the publish time for messages without `x-death`). */
  oldest: string;
  newest: string;
  /** Browse (`POST …/get`) or redrive (`POST …/redrive`) the queue with this filter to get exactly this group; null when no filter can. */
  filter: RedriveFilter | null;
}

export interface FailuresView {
  vhost: string;
  /** The dead-letter queues read. */
  queues: string[];
  /** Groups, biggest first. */
  groups: FailureGroupView[];
  /** Ready messages read. */
  scanned: number;
  /** Messages of groups beyond `max_groups`: counted in `scanned`, in no group. */
  ungrouped: number;
}

/** The query string of both endpoints, as it arrives: strings. */
export interface FailuresQuery {
  max_groups?: string;
}

export const DEFAULT_FAILURE_GROUPS = 1000;
export const MAX_FAILURE_GROUPS = 10_000;

export const FAILURES_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_groups: { type: 'string', pattern: '^[0-9]{1,6}$' },
  },
};

const parseQuery = bodyParser<FailuresQuery>(FAILURES_QUERY_SCHEMA, (path) => `query parameter '${path.join('.')}'`);

/** Checks the query string; answers the most groups to keep. Throws `invalid_argument` naming the parameter. */
export function parseFailuresQuery(query: unknown): { maxGroups: number } {
  const parsed = parseQuery(query ?? {});
  if (parsed.max_groups === undefined) return { maxGroups: DEFAULT_FAILURE_GROUPS };
  const maxGroups = Number(parsed.max_groups);
  if (maxGroups < 1 || maxGroups > MAX_FAILURE_GROUPS) {
    throw new WarrenError('invalid_argument', `query parameter 'max_groups' = ${JSON.stringify(parsed.max_groups)}: must be a whole number from 1 to ${MAX_FAILURE_GROUPS}`);
  }
  return { maxGroups };
}
