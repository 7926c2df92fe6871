/**
 * Access tokens for a connection (docs/security.md, "Tokens"): a token provider is asked for a
 * token at connect, and again before each token expires, and the new one is sent as
 * `auth.refresh`, so the broker does not close the connection with `token_expired`. When the
 * refresh happens is read from the token's `exp` claim: a minute before it, or halfway through
 * a shorter lifetime. A provider that fails leaves the old token in place; `onError` hears of it.
 */
import { WarrenError } from '@warren/protocol/wire';

/** Returns a fresh access token (JWT); may be async, as a fetch to an identity provider is. */
export type TokenProvider = () => string | Promise<string>;

const REFRESH_AHEAD_MS = 60_000;

/** The `exp` claim of a JWT in ms since the epoch; undefined when it has none or is not a JWT. Not verified: the broker does that. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class TokenRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly provider: TokenProvider,
    private readonly send: (token: string) => Promise<void>,
    private readonly failed: (error: WarrenError) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Asks the provider for the token the connection opens with. */
  async first(): Promise<string> {
    return this.provider();
  }

  /** Plans the refresh of the token the broker now holds. */
  schedule(token: string): void {
    clearTimeout(this.timer);
    const expiry = tokenExpiry(token);
    if (this.stopped || expiry === undefined) return;
    const left = expiry - this.now();
    const wait = left > 2 * REFRESH_AHEAD_MS ? left - REFRESH_AHEAD_MS : Math.max(0, left / 2);
    this.timer = setTimeout(() => void this.refresh(), Math.min(wait, 2 ** 31 - 1));
    // A pending refresh must not keep a Node process alive by itself.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Gets a token now and sends it; resolves once the broker accepted it. */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      token = await this.provider();
      await this.send(token);
    } catch (error) {
      this.failed(error instanceof WarrenError ? error : new WarrenError('not_authorized', `the token provider failed: ${(error as Error).message}`));
      return;
    }
    this.schedule(token);
  }

  /** The connection is lost: no refresh until the next connection's token is scheduled. */
  pause(): void {
    clearTimeout(this.timer);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
