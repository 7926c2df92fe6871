/**
 * A WebSocket connection's authentication and per-frame authorisation (docs/security.md). The
 * `hello` is checked asynchronously (scrypt, JWT): meanwhile the session holds every later frame
 * and stops reading its socket, then opens and replays them in order, or fails with
 * `not_authorized` / `vhost_access_refused` / `connection_limit`. After that every frame passes
 * `check` (frame-access.ts). A token's connection closes with `token_expired` when the token
 * runs out, unless `auth.refresh` brought a newer token for the same user first.
 */
import { WarrenError, type AuthRefreshFrame, type HelloFrame } from '@warren/protocol';
import type { AccessControl } from './access-control.js';
import type { Credentials } from './authenticator.js';
import { FrameAccess } from './frame-access.js';
import type { Principal } from './principal.js';

/** What the listener knows of the socket, and how it counts connections for the limits. */
export interface SessionAuth {
  readonly access: AccessControl;
  readonly address: string | undefined;
  /** CN of a client certificate the TLS layer verified, when the client presented one. */
  readonly certificateUser: string | undefined;
  /** Throws WarrenError `connection_limit` when one more connection for this user or vhost is over a limit. */
  admit(principal: Principal, vhost: string): void;
}

/** The parts of a Session the guard drives. */
export interface GuardedSession {
  readonly id: string;
  user: string;
  isClosed: boolean;
  /** Handles the hello as an unauthenticated session would (handlers/connection.ts). */
  open(hello: HelloFrame): void;
  fail(error: unknown): void;
  reply(id: number, fields?: Record<string, unknown>): void;
  reportError(error: unknown): void;
}

/** setTimeout's longest delay; a token valid for longer is re-armed when this runs out. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SessionGuard {
  principal: Principal | undefined;
  private frameAccess: FrameAccess | undefined;
  private vhost = '/';
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: GuardedSession,
    private readonly auth: SessionAuth,
  ) {}

  /** Authenticates a hello; resolves once the session is open or has failed. */
  async hello(frame: HelloFrame): Promise<void> {
    this.vhost = frame.vhost ?? '/';
    const credentials = this.credentialsOf(frame);
    const claimed = credentials.kind === 'password' ? credentials.username : credentials.kind === 'certificate' ? credentials.username : credentials.kind === 'none' ? 'guest' : '(token)';
    try {
      const principal = await this.auth.access.authenticate(credentials, this.auth.address);
      if (this.session.isClosed) return;
      if (this.auth.access.broker.vhost(this.vhost) === undefined) throw new WarrenError('vhost_not_found', `no vhost '${this.vhost}'`);
      if (!principal.hasVHost(this.vhost)) {
        throw new WarrenError('vhost_access_refused', `user '${principal.user}' has no access to vhost '${this.vhost}'`);
      }
      this.auth.admit(principal, this.vhost);
      this.become(principal);
      this.session.open(frame);
      this.session.user = principal.user;
    } catch (error) {
      if (error instanceof WarrenError) this.refused(claimed, false, 'login', error);
      this.session.fail(error);
    }
  }

  /** Throws `access_refused` for a frame the principal may not send (frame-access.ts). */
  get frames(): FrameAccess | undefined {
    return this.frameAccess;
  }

  async refresh(frame: AuthRefreshFrame): Promise<void> {
    try {
      const principal = await this.auth.access.authenticate({ kind: 'token', token: frame.token }, this.auth.address);
      if (this.session.isClosed) return;
      if (principal.user !== this.principal?.user) {
        throw new WarrenError('access_refused', `the new token is for user '${principal.user}', this connection is '${this.principal?.user ?? ''}'`);
      }
      this.become(principal);
      this.session.reply(frame.id, { expires_at: principal.expiresAt ?? null });
    } catch (error) {
      const refusal = error instanceof WarrenError && error.scope === 'connection' ? new WarrenError('access_refused', error.message) : error;
      if (refusal instanceof WarrenError) this.refused(this.session.user, true, 'auth.refresh', refusal);
      this.session.reportError(refusal instanceof WarrenError ? new WarrenError(refusal.code, refusal.message, { context: { id: frame.id } }) : refusal);
    }
  }

  closed(): void {
    clearTimeout(this.expiry);
  }

  private become(principal: Principal): void {
    this.principal = principal;
    const access = this.auth.access;
    this.frameAccess = new FrameAccess(
      { principal, vhost: this.vhost, broker: access.broker, generation: () => access.registry.generation },
      (refusal) => void access.refused({ user: principal.user, verified: true, operation: refusal.operation, object: refusal.object, code: 'access_refused', reason: refusal.reason, address: this.auth.address }),
    );
    clearTimeout(this.expiry);
    if (principal.expiresAt !== undefined) this.armExpiry(principal.expiresAt);
  }

  private armExpiry(at: number): void {
    const wait = at - Date.now();
    this.expiry = setTimeout(
      () => (wait > MAX_TIMER_MS ? this.armExpiry(at) : this.session.fail(new WarrenError('token_expired', `the access token of user '${this.session.user}' expired; refresh it with auth.refresh before it does`))),
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
  }

  private credentialsOf(frame: HelloFrame): Credentials {
    if (frame.token !== undefined) return { kind: 'token', token: frame.token };
    if (frame.username !== undefined && frame.username !== '') return { kind: 'password', username: frame.username, password: frame.password ?? '' };
    if (this.auth.certificateUser !== undefined) return { kind: 'certificate', username: this.auth.certificateUser };
    return { kind: 'none' };
  }

  private refused(user: string, verified: boolean, operation: string, error: WarrenError): void {
    void this.auth.access.refused({ user, verified, operation, object: { type: 'connection', vhost: this.vhost, name: this.session.id }, code: error.code, reason: error.message, address: this.auth.address });
  }
}
