/**
 * Turns what a client presents (username and password, a JWT, a verified client certificate, or
 * nothing) into a Principal, or refuses with WarrenError `not_authorized`. Nothing presented
 * means `guest` / `guest`, which, like any user listed as loopback-only (RabbitMQ's
 * loopback_users), is refused unless the client connects from the machine itself. Failed
 * attempts from one address for one user are slowed down (login-throttle.ts). A password that verified is
 * remembered as an HMAC under a key of this process, so that a client sending Basic auth with
 * every HTTP request pays scrypt once, not per request; a password change forgets it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WarrenError } from '@warren/protocol';
import type { AccessRegistry } from './access-registry.js';
import { LoginThrottle } from './login-throttle.js';
import { verifyPassword } from './password-hash.js';
import { UserPrincipal, type Principal } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

export type Credentials =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'token'; token: string }
  /** The common name of a client certificate the TLS layer verified against the configured CA. */
  | { kind: 'certificate'; username: string }
  | { kind: 'none' };

export const GUEST = 'guest';
const MAX_REMEMBERED = 10_000;

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

export class Authenticator {
  readonly throttle = new LoginThrottle();
  private readonly hmacKey = randomBytes(32);
  /** user → [its password_hash when verified, HMAC of the password]. */
  private readonly remembered = new Map<string, [string, Buffer]>();

  constructor(
    private readonly registry: AccessRegistry,
    private readonly tokens: TokenVerifier | undefined,
    /** Users who may only log in from loopback. */
    private readonly loopbackUsers: readonly string[] = [GUEST],
  ) {
    registry.onUserRevoked((user) => this.remembered.delete(user));
  }

  /** Failures are counted per address and claimed user, so a guesser is slowed and another user from the same address is not. */
  async authenticate(credentials: Credentials, address: string | undefined): Promise<Principal> {
    // Only an attempt that presents a secret can be a guess; the others are not slowed.
    if (credentials.kind === 'none' || credentials.kind === 'certificate') return this.check(credentials, address);
    const from = `${address ?? 'unknown'} ${credentials.kind === 'password' ? credentials.username : '(token)'}`;
    const delay = this.throttle.delayFor(from);
    if (delay > 0) await sleep(delay);
    try {
      const principal = await this.check(credentials, address);
      this.throttle.succeeded(from);
      return principal;
    } catch (error) {
      this.throttle.failed(from);
      throw error;
    }
  }

  private async check(credentials: Credentials, address: string | undefined): Promise<Principal> {
    switch (credentials.kind) {
      case 'token':
        if (this.tokens === undefined) throw new WarrenError('not_authorized', 'this broker accepts no access tokens (no oauth configured)');
        return this.tokens.verify(credentials.token);
      case 'certificate':
        this.checkLoopback(credentials.username, address);
        if (this.registry.user(credentials.username) === undefined) throw refused();
        return new UserPrincipal(credentials.username, this.registry, 'certificate');
      case 'none':
        return this.checkPassword(GUEST, GUEST, address);
      case 'password':
        return this.checkPassword(credentials.username, credentials.password, address);
    }
  }

  private async checkPassword(username: string, password: string, address: string | undefined): Promise<Principal> {
    const user = this.registry.user(username);
    if (user === undefined || user.password_hash === '') throw refused();
    this.checkLoopback(username, address);
    if (user.guestDefault === true) {
      if (password !== GUEST) throw refused();
      return new UserPrincipal(username, this.registry);
    }
    const mac = createHmac('sha256', this.hmacKey).update(password).digest();
    const known = this.remembered.get(username);
    const ok = (known !== undefined && known[0] === user.password_hash && timingSafeEqual(known[1], mac)) || (await verifyPassword(user, password));
    if (!ok) throw refused();
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    this.remembered.set(username, [user.password_hash, mac]);
    return new UserPrincipal(username, this.registry);
  }

  private checkLoopback(username: string, address: string | undefined): void {
    if (this.loopbackUsers.includes(username) && !isLoopback(address)) {
      throw new WarrenError('not_authorized', `user '${username}' can only connect via localhost`);
    }
  }
}

/** One message for an unknown user and a wrong password, so a refusal does not tell which users exist. */
function refused(): WarrenError {
  return new WarrenError('not_authorized', 'login refused: wrong username or password');
}
