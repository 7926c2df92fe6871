/**
 * Scheduled messages in the management API (Warren; docs/scheduled.md): the view of one message
 * waiting for its delay or retry back-off, the page `GET /api/scheduled/{vhost}` returns (in
 * RabbitMQ's paging fields), its query string, and the body of a reschedule (`PUT`). The
 * `scheduled.*` frames (frames/scheduled.ts) share the view, the page and the due-time rules.
 */
import type { JsonSchema } from '../frames/schema.js';
import { WarrenError } from '../errors.js';
import { bodyParser } from './body.js';

export interface ScheduledView {
  id: string;
  vhost: string;
  /** `delay`: a delayed publish; `retry`: a message waiting for its retry back-off. */
  reason: 'delay' | 'retry';
  /** When it is due, ms since the epoch. */
  due: number;
  /** The same instant as ISO 8601 (UTC). */
  due_at: string;
  /** retry: the queue it goes back to; null for a delayed publish. */
  queue: string | null;
  /** delay: the exchange it is published to; null for a retry. */
  exchange: string | null;
  routing_key: string;
  /** The attempt its next delivery will be (1 for a delayed publish). */
  attempt: number;
  /** Body size in bytes. */
  size: number;
  message_id: string;
  /** Kept across a restart. */
  durable: boolean;
}

/** A page of scheduled messages: RabbitMQ's paged-list fields. */
export interface ScheduledPageView {
  items: ScheduledView[];
  page: number;
  page_size: number;
  page_count: number;
  /** Items on this page. */
  item_count: number;
  /** Messages matching the filter. */
  filtered_count: number;
  /** Messages waiting in the vhost. */
  total_count: number;
}

export const DEFAULT_SCHEDULED_PAGE_SIZE = 100;
/** RabbitMQ's largest page. */
export const MAX_SCHEDULED_PAGE_SIZE = 500;
const MAX_PAGE = 1_000_000_000;
/** 9999-12-31T23:59:59.999Z: the last instant ISO 8601 writes with a four-digit year. */
export const MAX_DUE = 253_402_300_799_999;

/** ISO 8601 date-time with a zone (`Z` or `±hh:mm`); a time without one would depend on the broker's zone. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A due time: ms since the epoch, or an ISO 8601 date-time string with a zone. */
export const DUE_SCHEMA: JsonSchema = { anyOf: [{ type: 'integer', minimum: 0, maximum: MAX_DUE }, { type: 'string', maxLength: 64 }] };
export const PAGE_SCHEMA: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_PAGE };
export const PAGE_SIZE_SCHEMA: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_SCHEDULED_PAGE_SIZE };

/** A due time that passed its schema → ms since the epoch; throws `invalid_argument` for a string that is no ISO date-time. */
export function dueTime(due: number | string): number {
  if (typeof due === 'number') return due;
  const ms = ISO_DATE_TIME.test(due) ? Date.parse(due) : Number.NaN;
  if (!(ms >= 0 && ms <= MAX_DUE)) {
    throw new WarrenError(
      'invalid_argument',
      `due = ${JSON.stringify(due)}: must be ms since the epoch or an ISO 8601 date-time with a zone (2030-01-31T12:00:00Z)`,
    );
  }
  return ms;
}

/** `PUT /api/scheduled/{vhost}/{id}`. */
export interface RescheduleBody {
  due: number | string;
}

export const RESCHEDULE_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['due'],
  properties: { due: DUE_SCHEMA },
};

const parseReschedule = bodyParser<RescheduleBody>(RESCHEDULE_BODY_SCHEMA);

/** Checks a reschedule body and returns the new due time in ms since the epoch. */
export function parseRescheduleBody(body: unknown): number {
  return dueTime(parseReschedule(body).due);
}

/** The query string of `GET /api/scheduled/{vhost}`, as it arrives: strings. */
export interface ScheduledListQuery {
  queue?: string;
  exchange?: string;
  page?: string;
  page_size?: string;
}

export const SCHEDULED_LIST_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    queue: { type: 'string', maxLength: 255 },
    exchange: { type: 'string', maxLength: 255 },
    page: { type: 'string', maxLength: 16 },
    page_size: { type: 'string', maxLength: 16 },
  },
};

const parseListQuery = bodyParser<ScheduledListQuery>(SCHEDULED_LIST_QUERY_SCHEMA, (path) => `query parameter '${path.join('.')}'`);

/** A list request with its defaults filled in. */
export interface ScheduledListRequest {
  queue?: string;
  exchange?: string;
  page: number;
  pageSize: number;
}

/** Checks the list's query string; throws `invalid_argument` naming the parameter. */
export function parseScheduledListQuery(query: unknown): ScheduledListRequest {
  const parsed = parseListQuery(query ?? {});
  const request: ScheduledListRequest = {
    page: wholeNumber('page', parsed.page, 1, MAX_PAGE),
    pageSize: wholeNumber('page_size', parsed.page_size, DEFAULT_SCHEDULED_PAGE_SIZE, MAX_SCHEDULED_PAGE_SIZE),
  };
  if (parsed.queue !== undefined) request.queue = parsed.queue;
  if (parsed.exchange !== undefined) request.exchange = parsed.exchange;
  return request;
}

function wholeNumber(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    throw new WarrenError('invalid_argument', `query parameter '${name}' = ${JSON.stringify(text)}: must be a whole number from 1 to ${max}`);
  }
  return value;
}
