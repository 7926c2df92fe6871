/**
 * The server's one entry to authentication and authorisation: the registry of users and
 * permissions, the authenticator, the token verifier, and the record of every refusal (a log
 * line and an audit entry). At first boot, when the store holds no user, it creates the first
 * administrator: `WARREN_DEFAULT_USER` / `WARREN_DEFAULT_PASS` when set, else RabbitMQ's
 * `guest` / `guest`, which only logs in from loopback (docs/security.md).
 */
import type { Broker } from '@warren/core';
import type { Config } from '../config.js';
import type { ServerLogger } from '../log.js';
import { AccessRegistry } from './access-registry.js';
import { Authenticator, GUEST, type Credentials } from './authenticator.js';
import type { Principal } from './principal.js';
import { hashPassword } from './password-hash.js';
import { TokenVerifier } from './token-verifier.js';

export interface RefusalRecord {
  /** Who asked: a verified user, or the name a refused login claimed (shown as such). */
  user: string;
  /** Whether `user` was authenticated: false for a refused login. */
  verified: boolean;
  /** What was refused: `login`, a frame type or `METHOD /route`. */
  operation: string;
  object: { type: 'queue' | 'exchange' | 'policy' | 'connection' | 'route' | 'user' | 'vhost'; vhost: string | null; name: string | null };
  code: string;
  reason: string;
  address?: string;
}

export class AccessControl {
  readonly registry: AccessRegistry;
  readonly authenticator: Authenticator;
  readonly tokens: TokenVerifier | undefined;

  constructor(
    readonly broker: Broker,
    readonly config: Config,
    private readonly logger: ServerLogger,
  ) {
    this.registry = new AccessRegistry(broker.store);
    this.tokens = config.oauth === undefined ? undefined : new TokenVerifier(config.oauth);
    this.authenticator = new Authenticator(this.registry, this.tokens, config.loopbackUsers);
  }

  async start(): Promise<void> {
    await this.registry.restore();
    if (this.registry.users.size > 0) return;
    const name = this.config.defaultUser ?? GUEST;
    const password = this.config.defaultPass ?? GUEST;
    const guestDefault = name === GUEST && password === GUEST ? { guestDefault: true as const } : {};
    this.registry.putUser({ name, ...(await hashPassword(password)), tags: ['administrator'], limits: {}, ...guestDefault });
    this.registry.putPermission({ user: name, vhost: '/', configure: '.*', write: '.*', read: '.*' });
    this.logger.info({ user: name }, 'created the first administrator');
  }

  authenticate(credentials: Credentials, address: string | undefined): Promise<Principal> {
    return this.authenticator.authenticate(credentials, address);
  }

  /** Logs and audits a refusal; the caller answers it, over HTTP once the promise says the entry is stored. */
  refused(record: RefusalRecord): Promise<void> {
    this.logger.warn({ user: record.user, operation: record.operation, code: record.code, address: record.address, reason: record.reason }, 'access refused');
    this.broker.audit.record({
      user: record.user,
      verified: record.verified,
      action: `refused.${record.operation}`,
      object: record.object,
      parameters: { code: record.code, reason: record.reason, ...(record.address === undefined ? {} : { address: record.address }) },
    });
    return new Promise((resolve) => this.broker.afterWrites(() => resolve()));
  }
}
