/**
 * Verifies JWT access tokens with jose against the configured keys (inline JWKs or a JWKS file),
 * checking signature, issuer, audience, expiry and not-before, and turns a valid one into a
 * TokenPrincipal. The user is the token's `sub` (or the configured claim); its scopes come from
 * `scope` (a space-separated string or an array, as RabbitMQ's OAuth 2 plugin reads them).
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { WarrenError } from '@warren/protocol';
import { TokenPrincipal } from './token-principal.js';

export interface OAuthConfig {
  /** RabbitMQ's resource_server_id: scopes start with `<id>.`, and it is the default audience. */
  resourceServerId: string;
  issuer?: string;
  /** Expected `aud`; default resourceServerId. */
  audience?: string;
  /** Public keys, as JWKs. */
  keys?: JSONWebKeySet['keys'];
  /** A JWKS document (JSON with `keys`) on disk. */
  jwksFile?: string;
  /** The claim naming the user; default `sub`. */
  usernameClaim?: string;
  /** Allowed clock skew when checking `exp` / `nbf`, seconds; default 30. */
  clockTolerance?: number;
}

export class TokenVerifier {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly config: OAuthConfig) {
    const keys = [...(config.keys ?? [])];
    if (config.jwksFile !== undefined) keys.push(...(JSON.parse(readFileSync(config.jwksFile, 'utf8')) as JSONWebKeySet).keys);
    if (keys.length === 0) throw new Error('oauth needs keys or a jwksFile');
    this.keySet = createLocalJWKSet({ keys });
  }

  /** The token's principal; WarrenError `not_authorized` (with jose's reason) when it is not valid. */
  async verify(token: string): Promise<TokenPrincipal> {
    let payload: JWTPayload;
    const tolerance = this.config.clockTolerance ?? 30;
    try {
      ({ payload } = await jwtVerify(token, this.keySet, {
        issuer: this.config.issuer,
        audience: this.config.audience ?? this.config.resourceServerId,
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
      }));
    } catch (cause) {
      throw new WarrenError('not_authorized', `access token refused: ${(cause as Error).message}`);
    }
    const user = payload[this.config.usernameClaim ?? 'sub'];
    if (typeof user !== 'string' || user === '') throw new WarrenError('not_authorized', 'access token refused: it names no user');
    const raw = payload.scope ?? payload.scp;
    const scopes = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : [];
    // The connection lives as long as the token verifies: until exp plus the tolerance.
    return new TokenPrincipal(user, scopes, `${this.config.resourceServerId}.`, ((payload.exp as number) + tolerance) * 1000);
  }
}
