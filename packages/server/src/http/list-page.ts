/**
 * Answers a list request the way RabbitMQ's management API does (protocol's list-query.ts):
 * filter by name, sort, page, pick columns. A name pattern comes from outside, so it runs on
 * RE2 (re2js: linear time, no catastrophic backtracking). Views are built lazily: sorted by
 * name (the default) or by a field the listing's sortKey reads, only the page's objects are
 * turned into views, which keeps a list of 10,000 queues cheap; sorted by any other field,
 * every filtered object is.
 */
import { RE2JS } from 're2js';
import { WarrenError, type ListRequest, type PagedView } from '@warren/protocol';

export interface Listing<T, V> {
  objects: readonly T[];
  nameOf(object: T): string;
  /** Orders objects of equal name (the vhost, for a list across vhosts). */
  tieOf?(object: T): string;
  view(object: T): V;
  /**
   * A reader of the value at a sort path straight from the object, without building its view,
   * made once per request (for the fields a list is usually sorted by); undefined for any other
   * path, which is then read from each object's view.
   */
  sortKey?(path: readonly string[]): ((object: T) => unknown) | undefined;
}

/** The page's objects in order, each with its view when sorting had to build it. */
interface Selected<T, V> {
  rows: { o: T; view?: V }[];
  filtered: number;
  total: number;
}

function selectPage<T, V>(listing: Listing<T, V>, request: ListRequest): Selected<T, V> {
  const filtered = filterByName(listing, request);
  const sort = request.sort;
  let rows: { o: T; view?: V }[];
  if (sort === undefined || (sort.length === 1 && sort[0] === 'name')) {
    // Names read once per object, not twice per comparison: 10,000 queues take ~140,000 comparisons.
    const named = filtered.map((o) => ({ o, name: listing.nameOf(o), tie: listing.tieOf?.(o) ?? '' }));
    named.sort((a, b) => compareText(a.name, b.name) || compareText(a.tie, b.tie));
    if (request.sortReverse) named.reverse();
    rows = named;
  } else {
    const read = listing.sortKey?.(sort);
    const keyed = filtered.map((o) => {
      if (read !== undefined) return { o, key: read(o), view: undefined };
      const view = listing.view(o);
      return { o, key: valueAt(view, sort), view };
    });
    keyed.sort((a, b) => compareValues(a.key, b.key) || compareText(listing.nameOf(a.o), listing.nameOf(b.o)));
    if (request.sortReverse) keyed.reverse();
    rows = keyed;
  }
  const page = request.page;
  if (page !== undefined) {
    const pageCount = Math.ceil(filtered.length / request.pageSize);
    if (page > 1 && page > pageCount) throw new WarrenError('invalid_argument', `page ${page} is beyond the last page, ${pageCount}`);
    rows = rows.slice((page - 1) * request.pageSize, page * request.pageSize);
  }
  return { rows, filtered: filtered.length, total: listing.objects.length };
}

function envelope(request: ListRequest & { page: number }, selected: Selected<unknown, unknown>) {
  const pageSize = request.pageSize;
  return {
    page: request.page,
    page_count: Math.ceil(selected.filtered / pageSize),
    page_size: pageSize,
    filtered_count: selected.filtered,
    item_count: selected.rows.length,
    total_count: selected.total,
  };
}

export function listPage<T, V>(listing: Listing<T, V>, request: ListRequest): V[] | PagedView<unknown> {
  const selected = selectPage(listing, request);
  const views = selected.rows.map((r) => r.view ?? listing.view(r.o));
  const items = request.columns === undefined ? views : views.map((v) => pickColumns(v, request.columns!));
  if (request.page === undefined) return items as V[];
  return { items, ...envelope(request as ListRequest & { page: number }, selected) };
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const ITEMS = Buffer.from('{"items":');

/**
 * listPage's answer as UTF-8 JSON, each object written by `json` (the bytes of JSON.stringify
 * of its view) unless sorting or `columns` needed the view anyway.
 */
export function listPageJson<T, V>(listing: Listing<T, V>, json: (object: T) => Buffer, request: ListRequest): Buffer {
  if (request.columns !== undefined) return Buffer.from(JSON.stringify(listPage(listing, request)));
  const selected = selectPage(listing, request);
  const parts: Buffer[] = request.page === undefined ? [OPEN] : [ITEMS, OPEN];
  selected.rows.forEach((r, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(r.view === undefined ? json(r.o) : Buffer.from(JSON.stringify(r.view)));
  });
  parts.push(CLOSE);
  if (request.page !== undefined) parts.push(Buffer.from(`,${JSON.stringify(envelope(request as ListRequest & { page: number }, selected)).slice(1)}`));
  return Buffer.concat(parts);
}

function filterByName<T, V>(listing: Listing<T, V>, request: ListRequest): readonly T[] {
  const name = request.name;
  if (name === undefined) return listing.objects;
  if (!request.useRegex) {
    const needle = name.toLowerCase();
    return listing.objects.filter((o) => listing.nameOf(o).toLowerCase().includes(needle));
  }
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(name, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new WarrenError('invalid_argument', `query parameter 'name' is not a valid regular expression: ${(error as Error).message}`);
  }
  return listing.objects.filter((o) => pattern.matcher(listing.nameOf(o)).find());
}

function valueAt(view: unknown, path: readonly string[]): unknown {
  let value = view;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Missing values first, then numbers (and booleans) by value, then text. */
function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return Number(a) - Number(b);
  if (ra === 2) return compareText(String(a), String(b));
  return 0;
}

function rank(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' || typeof value === 'boolean') return 1;
  return typeof value === 'object' ? 3 : 2;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RabbitMQ's `columns`: only the named fields, nested ones rebuilt as objects. */
function pickColumns(view: unknown, columns: readonly string[][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of columns) {
    const value = valueAt(view, path);
    if (value === undefined) continue;
    let into = out;
    for (const key of path.slice(0, -1)) into = (into[key] ??= {}) as Record<string, unknown>;
    into[path[path.length - 1] as string] = value;
  }
  return out;
}
