/**
 * Users, permissions and topic permissions in the management API (docs/security.md), in
 * RabbitMQ's shapes: `PUT /api/users/{name}` takes `password` (or `password_hash` with
 * `hashing_algorithm`) and `tags` (a comma-separated string, or a list); `PUT
 * /api/permissions/{vhost}/{user}` takes the three regexes; `PUT /api/topic-permissions/{vhost}/{user}`
 * an exchange and two regexes. `POST /api/auth/login` opens a browser session (Warren).
 */
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser } from './body.js';

export interface UserBody {
  password?: string;
  password_hash?: string;
  hashing_algorithm?: string;
  tags?: string | string[];
  limits?: Record<string, number>;
}

export interface UserView {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  tags: string[];
  limits: Record<string, number>;
}

export interface PermissionBody {
  configure: string;
  write: string;
  read: string;
}

export interface PermissionView extends PermissionBody {
  user: string;
  vhost: string;
}

export interface TopicPermissionBody {
  exchange: string;
  write: string;
  read: string;
}

export interface TopicPermissionView extends TopicPermissionBody {
  user: string;
  vhost: string;
}

export interface LoginBody {
  username?: string;
  password?: string;
  token?: string;
}

export interface WhoamiView {
  name: string;
  tags: string[];
  /** How the request was authenticated: `password`, `token` or `certificate`. */
  mechanism: string;
  /** When a token's access ends, ISO 8601. */
  expires_at?: string;
  /**
   * Warren: per existing vhost the user may connect to, whether it has any configure, write and
   * read permission there (a pattern that can match something), so a UI can hide what it may not
   * do. The broker still checks each object against the patterns.
   */
  permissions?: VHostAccessView[];
  /** Warren: for a request made with the browser session cookie, the session's CSRF token. */
  csrf_token?: string;
}

export interface VHostAccessView {
  vhost: string;
  configure: boolean;
  write: boolean;
  read: boolean;
}

export interface LoginView extends WhoamiView {
  /** Send it as `X-CSRF-Token` with every request that changes something. */
  csrf_token: string;
}

const regex = { type: 'string', maxLength: 4096 };
const name = { type: 'string', minLength: 1, maxLength: 255 };

const USER_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    password: { type: 'string', maxLength: 1024 },
    password_hash: { type: 'string', maxLength: 1024 },
    hashing_algorithm: { type: 'string', maxLength: 64 },
    tags: { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'array', maxItems: 32, items: name }] },
    limits: { type: 'object', maxProperties: 8, additionalProperties: { type: 'integer', minimum: -1 } },
  },
};

const PERMISSION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['configure', 'write', 'read'],
  properties: { configure: regex, write: regex, read: regex },
};

const TOPIC_PERMISSION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['exchange', 'write', 'read'],
  properties: { exchange: { type: 'string', maxLength: 255 }, write: regex, read: regex },
};

const LOGIN_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { username: name, password: { type: 'string', maxLength: 1024 }, token: { type: 'string', maxLength: 16384 } },
};

export const parseUserBody = bodyParser<UserBody>(USER_SCHEMA);
export const parsePermissionBody = bodyParser<PermissionBody>(PERMISSION_SCHEMA);
export const parseTopicPermissionBody = bodyParser<TopicPermissionBody>(TOPIC_PERMISSION_SCHEMA);
export const parseLoginBody = bodyParser<LoginBody>(LOGIN_SCHEMA);
