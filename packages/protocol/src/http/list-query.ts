/**
 * The query of every list in the management API, RabbitMQ's: `page` and `page_size` ask for the
 * paged shape `{ items, page, page_count, page_size, filtered_count, item_count, total_count }`
 * (without `page` the answer is the plain list, as RabbitMQ's); `name` filters by name
 * (case-insensitive substring, or with `use_regex=true` an RE2 regular expression); `sort` names
 * a field, nested ones dotted (`message_stats.publish_details.rate`), `sort_reverse=true` flips
 * it; `columns` keeps only the named fields. RabbitMQ's other query keys (`lengths_age`,
 * `msg_rates_age`, `disable_stats`, …) are accepted and have no effect, as unknown keys are in
 * RabbitMQ.
 */
import type { JsonSchema } from '../frames/schema.js';
import { WarrenError } from '../errors.js';
import { bodyParser } from './body.js';
import { asBoolean, asInteger, BOOLEAN_LIKE, integerLike, type BooleanLike } from './rabbit-values.js';

/** RabbitMQ's limit (rabbit_mgmt_util: "page_size must be between 1 and 500"). */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

export interface ListQuery {
  page?: string | number;
  page_size?: string | number;
  name?: string;
  use_regex?: BooleanLike;
  sort?: string;
  sort_reverse?: BooleanLike;
  columns?: string;
}

export const LIST_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    page: integerLike(1, Number.MAX_SAFE_INTEGER),
    page_size: integerLike(1, MAX_PAGE_SIZE),
    name: { type: 'string', maxLength: 1024 },
    use_regex: BOOLEAN_LIKE,
    sort: { type: 'string', maxLength: 255 },
    sort_reverse: BOOLEAN_LIKE,
    columns: { type: 'string', maxLength: 4096 },
  },
};

/** A list query with its defaults: `page` undefined means "answer the plain list". */
export interface ListRequest {
  page: number | undefined;
  pageSize: number;
  name: string | undefined;
  useRegex: boolean;
  /** Dotted path split into keys; undefined: by name. */
  sort: string[] | undefined;
  sortReverse: boolean;
  columns: string[][] | undefined;
}

const parseQuery = bodyParser<ListQuery>(LIST_QUERY_SCHEMA, (path) => `query parameter '${path.join('.')}'`);

export function parseListQuery(query: unknown): ListRequest {
  const q = parseQuery(query ?? {});
  const pageSize = asInteger(q.page_size) ?? DEFAULT_PAGE_SIZE;
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new WarrenError('invalid_argument', `page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  const page = asInteger(q.page);
  if (page !== undefined && page < 1) throw new WarrenError('invalid_argument', 'page must be 1 or more');
  return {
    page,
    pageSize,
    name: q.name === undefined || q.name === '' ? undefined : q.name,
    useRegex: asBoolean(q.use_regex, false),
    sort: q.sort === undefined || q.sort === '' ? undefined : q.sort.split('.'),
    sortReverse: asBoolean(q.sort_reverse, false),
    columns: q.columns === undefined || q.columns === '' ? undefined : q.columns.split(',').map((c) => c.trim().split('.')),
  };
}

/** RabbitMQ's paged answer. */
export interface PagedView<T> {
  items: T[];
  page: number;
  page_count: number;
  page_size: number;
  /** Items that passed the name filter. */
  filtered_count: number;
  /** Items on this page. */
  item_count: number;
  /** Items before filtering. */
  total_count: number;
}

/** `GET /api/connections/{name}/unacked` (Warren): at most `count` deliveries, oldest first. */
export interface UnackedQuery {
  count?: string | number;
}

export const MAX_UNACKED_COUNT = 1000;

export const UNACKED_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { count: integerLike(1, MAX_UNACKED_COUNT) },
};

const parseUnacked = bodyParser<UnackedQuery>(UNACKED_QUERY_SCHEMA, (path) => `query parameter '${path.join('.')}'`);

export function parseUnackedQuery(query: unknown): number {
  const count = asInteger(parseUnacked(query ?? {}).count) ?? 100;
  if (count < 1 || count > MAX_UNACKED_COUNT) throw new WarrenError('invalid_argument', `count must be between 1 and ${MAX_UNACKED_COUNT}`);
  return count;
}

/** One delivery a connection holds unsettled. */
export interface UnackedDeliveryView {
  delivery_tag: number;
  consumer_tag: string;
  queue: { name: string; vhost: string };
  message_id: string;
  exchange: string;
  routing_key: string;
  redelivered: boolean;
  delivery_count: number;
  payload_bytes: number;
}

export interface UnackedPageView {
  items: UnackedDeliveryView[];
  /** Deliveries the connection holds unsettled in all. */
  total_count: number;
}
