/**
 * Cross-site WebSocket hijacking guard. A browser lets any page open a WebSocket to any host,
 * localhost included, and sends the page's origin in `Origin`; it is the one header a page cannot
 * forge. So an upgrade that carries an `Origin` is let through only from the broker's own origin
 * (its admin UI, served on this port) or from an origin the operator allowed
 * (`allowedOrigins`, `WARREN_ALLOWED_ORIGINS`). Clients that are not browsers send no `Origin`
 * and are not concerned. Authentication is not this file's job.
 */
import type { IncomingMessage } from 'node:http';

export type OriginVerdict = { allowed: true } | { allowed: false; origin: string };

/** Origins compare as scheme://host[:port], lower case, with the scheme's default port dropped. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export class OriginCheck {
  private readonly allowed: Set<string>;
  private readonly any: boolean;

  constructor(allowedOrigins: readonly string[]) {
    this.any = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.flatMap((o) => normalizeOrigin(o) ?? []));
  }

  check(request: IncomingMessage, secure: boolean): OriginVerdict {
    const origin = request.headers.origin;
    if (origin === undefined) return { allowed: true };
    if (this.any) return { allowed: true };
    const normalized = normalizeOrigin(origin);
    if (normalized !== undefined && (this.allowed.has(normalized) || normalized === ownOrigin(request, secure))) return { allowed: true };
    return { allowed: false, origin };
  }
}

/** The origin a page served by this broker has: the scheme and the Host the browser asked for. */
function ownOrigin(request: IncomingMessage, secure: boolean): string | undefined {
  const host = request.headers.host;
  return host === undefined ? undefined : normalizeOrigin(`${secure ? 'https' : 'http'}://${host}`);
}
