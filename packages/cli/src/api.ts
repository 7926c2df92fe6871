/**
 * The management HTTP API as warrenctl calls it: JSON in and out, Bearer auth when a token is
 * given (else Basic auth when a user is), a timeout, and the broker's `{error, reason}` carried
 * to the user as it is. It knows no command; commands say which path they want.
 */
import { randomUUID } from 'node:crypto';
import { CliFailure, EXIT } from './exit-codes.js';

export interface ApiOptions {
  url: string;
  user?: string;
  password?: string;
  /** An OAuth 2 access token (JWT), sent as `Authorization: Bearer`; it wins over a user. */
  token?: string;
  timeoutMs: number;
}

/** The broker refused: its stable code and human reason, with the request id its log has. */
export class ApiError extends CliFailure {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    readonly requestId: string,
  ) {
    super(status === 404 ? EXIT.notFound : EXIT.brokerError, `${code}: ${reason}`);
  }
}

export interface ApiReply<T> {
  status: number;
  body: T;
}

export class Api {
  private readonly base: string;

  constructor(private readonly options: ApiOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiReply<T>> {
    const requestId = randomUUID();
    const headers: Record<string, string> = { ...extraHeaders, accept: 'application/json', 'x-request-id': requestId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== undefined) {
      headers.authorization = `Bearer ${this.options.token}`;
    } else if (this.options.user !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.user}:${this.options.password ?? ''}`).toString('base64')}`;
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new CliFailure(EXIT.unreachable, `cannot reach the broker at ${this.base}: ${why}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const error = parsed as { error?: unknown; reason?: unknown } | undefined;
      const code = typeof error?.error === 'string' ? error.error : `http_${response.status}`;
      const reason = typeof error?.reason === 'string' ? error.reason : response.statusText;
      throw new ApiError(response.status, code, reason, response.headers.get('x-request-id') ?? requestId);
    }
    return { status: response.status, body: parsed as T };
  }
}

/** `/api/queues/%2F/orders`: every part URL-encoded, vhost `/` included. */
export function apiPath(...parts: string[]): string {
  return `/api/${parts.map((part, i) => (i === 0 ? part : encodeURIComponent(part))).join('/')}`;
}
