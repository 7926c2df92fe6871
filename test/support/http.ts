/** Calling the management API in tests: status and parsed JSON body (undefined when empty). */
export interface Reply {
  status: number;
  // The API's answers are RabbitMQ-shaped JSON; tests assert on their fields.
  body: any;
}

/** A string body is sent as it is (to test malformed JSON); anything else as JSON. */
export async function call(base: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
