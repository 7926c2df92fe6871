/**
 * The one way the UI calls the management API: JSON in and out, and an API error
 * (`{ error, reason }`, docs/http-api.md) turned into an ApiError carrying its stable code.
 * With a browser session (docs/security.md), every request that changes something carries the
 * session's CSRF token, and a 401 (the session ended) tells the session gate to show the login.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    reason: string,
  ) {
    super(reason);
  }
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

let csrfToken: string | undefined;
let unauthorized: () => void = () => {};

/** The session's CSRF token (from login or whoami), or none without a session. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the API answers 401 to anything but the login itself. */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  // X-Requested-With: the broker then answers a 401 without a Basic challenge, so the browser
  // opens no password dialog of its own over the login page.
  const headers: Record<string, string> = { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' };
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const data: unknown = text === '' ? undefined : safeJson(text);
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/auth/login' && path !== '/api/whoami') unauthorized();
    const e = data as { error?: string; reason?: string } | undefined;
    throw new ApiError(response.status, e?.error ?? 'http_error', e?.reason ?? `${response.status} ${response.statusText}`);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `/` → `%2F`: names in paths are URL-encoded (docs/http-api.md). */
export const enc = encodeURIComponent;

/** `/api/queues/%2F/orders` for a queue, exchange or policy. */
export const objectPath = (resource: string, vhost: string, name: string): string => `/api/${resource}/${enc(vhost)}/${enc(name)}`;

/** RabbitMQ's paged list shape, answered when a list is asked for with `page`. */
export interface Paged<T> {
  items: T[];
  page: number;
  page_size: number;
  page_count: number;
  item_count: number;
  filtered_count?: number;
  total_count: number;
}

export interface Rate {
  rate: number;
}

/** RabbitMQ's `message_stats`: counts and their rates, where the broker gives them. */
export interface MessageStats {
  publish?: number;
  publish_details?: Rate;
  deliver_get?: number;
  deliver_get_details?: Rate;
  ack?: number;
  ack_details?: Rate;
  redeliver?: number;
  redeliver_details?: Rate;
}
