/**
 * Cookie sessions for the admin UI (docs/security.md, "Browser sessions"): `POST /api/auth/login`
 * with a password or a token opens one and sets `warren_session` (HttpOnly, SameSite=Strict,
 * Path=/, Secure when the port serves TLS), and answers a CSRF token. A request authenticated by
 * the cookie that changes anything (any method but GET, HEAD, OPTIONS) must carry that token in
 * `X-CSRF-Token` (the synchronizer token pattern), so another site cannot act with the cookie
 * even where SameSite is not enforced. Sessions live in memory: a restart logs everyone out.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './principal.js';

export const SESSION_COOKIE = 'warren_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A session ends after this long without a request, and in any case after MAX_AGE_MS. */
const IDLE_MS = 60 * 60_000;
const MAX_AGE_MS = 12 * 60 * 60_000;
const MAX_SESSIONS = 10_000;

interface HttpSession {
  principal: Principal;
  csrf: string;
  created: number;
  lastUsed: number;
}

export class HttpSessions {
  private readonly sessions = new Map<string, HttpSession>();

  constructor(private readonly now: () => number = Date.now) {}

  open(principal: Principal): { id: string; csrf: string } {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const time = this.now();
    this.sessions.set(id, { principal, csrf, created: time, lastUsed: time });
    return { id, csrf };
  }

  /** The session's principal and CSRF token, if the id names a live session. */
  find(id: string): HttpSession | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const time = this.now();
    const expired = time - session.lastUsed > IDLE_MS || time - session.created > MAX_AGE_MS || (session.principal.expiresAt !== undefined && session.principal.expiresAt <= time);
    if (expired) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastUsed = time;
    return session;
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /** A user deleted or whose password changed loses its sessions. */
  revoke(user: string): void {
    for (const [id, session] of this.sessions) if (session.principal.user === user) this.sessions.delete(id);
  }

  static csrfMatches(session: HttpSession, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const a = Buffer.from(session.csrf);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  cookie(id: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${MAX_AGE_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  static clearedCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
  }

  private sweep(): void {
    if (this.sessions.size < MAX_SESSIONS) return;
    const time = this.now();
    for (const [id, s] of this.sessions) if (time - s.lastUsed > IDLE_MS || time - s.created > MAX_AGE_MS) this.sessions.delete(id);
    // Still full: the oldest go first (a Map iterates in insertion order).
    for (const id of this.sessions.keys()) {
      if (this.sessions.size < MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
