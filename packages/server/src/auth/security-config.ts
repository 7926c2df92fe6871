/**
 * The security part of the configuration (docs/security.md): the first administrator, loopback-only
 * users, TLS, OAuth 2 tokens and the connection and queue limits. config.ts merges and validates
 * it with the rest; the schema and the environment variables live here.
 */
import type { OAuthConfig } from './token-verifier.js';

export interface SecurityConfig {
  /** The first administrator, created when the store holds no user (WARREN_DEFAULT_USER / _PASS); default guest / guest. */
  defaultUser?: string;
  defaultPass?: string;
  /** Users who may log in only from loopback (RabbitMQ's loopback_users). */
  loopbackUsers: string[];
  /** PEM files: with both, the port serves wss:// and https:// only. Reloaded when they change. */
  tlsCert?: string;
  tlsKey?: string;
  /** PEM file of the CAs that client certificates must chain to. */
  tlsCa?: string;
  /** `request`: a client may log in with a certificate (its CN is the user); `require`: every client must present one. */
  tlsClientCertificates: 'none' | 'request' | 'require';
  /** JWT access tokens; absent: tokens are refused. */
  oauth?: OAuthConfig;
  /** Connections one user may hold; 0: no limit (a user's own `max-connections` limit comes first). */
  maxConnectionsPerUser: number;
  /** Connections one vhost may hold; 0: no limit. */
  maxConnectionsPerVhost: number;
  /** Queues one vhost may hold; 0: no limit. */
  maxQueuesPerVhost: number;
}

const name = { type: 'string', minLength: 1, maxLength: 255 };
const file = { type: 'string', minLength: 1 };
const count = { type: 'integer', minimum: 0 };

export const securityProperties = {
  defaultUser: name,
  defaultPass: { type: 'string', minLength: 1, maxLength: 1024 },
  loopbackUsers: { type: 'array', items: name },
  tlsCert: file,
  tlsKey: file,
  tlsCa: file,
  tlsClientCertificates: { enum: ['none', 'request', 'require'] },
  oauth: {
    type: 'object',
    additionalProperties: false,
    required: ['resourceServerId'],
    properties: {
      resourceServerId: name,
      issuer: { type: 'string' },
      audience: { type: 'string' },
      keys: { type: 'array', items: { type: 'object' } },
      jwksFile: file,
      usernameClaim: name,
      clockTolerance: { type: 'integer', minimum: 0, maximum: 3600 },
    },
  },
  maxConnectionsPerUser: count,
  maxConnectionsPerVhost: count,
  maxQueuesPerVhost: count,
};

const ENV: Record<string, keyof SecurityConfig> = {
  WARREN_DEFAULT_USER: 'defaultUser',
  WARREN_DEFAULT_PASS: 'defaultPass',
  WARREN_TLS_CERT: 'tlsCert',
  WARREN_TLS_KEY: 'tlsKey',
  WARREN_TLS_CA: 'tlsCa',
  WARREN_TLS_CLIENT_CERTIFICATES: 'tlsClientCertificates',
  WARREN_MAX_CONNECTIONS_PER_USER: 'maxConnectionsPerUser',
  WARREN_MAX_CONNECTIONS_PER_VHOST: 'maxConnectionsPerVhost',
  WARREN_MAX_QUEUES_PER_VHOST: 'maxQueuesPerVhost',
};

/** OAuth from the environment: WARREN_OAUTH_JWKS_FILE turns it on; the others refine it. */
const OAUTH_ENV: Record<string, keyof OAuthConfig> = {
  WARREN_OAUTH_RESOURCE_SERVER_ID: 'resourceServerId',
  WARREN_OAUTH_ISSUER: 'issuer',
  WARREN_OAUTH_AUDIENCE: 'audience',
  WARREN_OAUTH_JWKS_FILE: 'jwksFile',
};

export function securityEnv(merged: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [variable, key] of Object.entries(ENV)) {
    const value = env[variable];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const loopback = env.WARREN_LOOPBACK_USERS;
  if (loopback !== undefined) merged.loopbackUsers = loopback.split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (env.WARREN_OAUTH_JWKS_FILE === undefined || env.WARREN_OAUTH_JWKS_FILE === '') return;
  const oauth: Record<string, unknown> = { resourceServerId: 'rabbitmq', ...(merged.oauth as object | undefined) };
  for (const [variable, key] of Object.entries(OAUTH_ENV)) {
    const value = env[variable];
    if (value !== undefined && value !== '') oauth[key] = value;
  }
  merged.oauth = oauth;
}
