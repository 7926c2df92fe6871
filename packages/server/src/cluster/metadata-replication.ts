/**
 * Cluster mode's management API: a request that changes metadata (vhosts, exchanges, queues,
 * bindings, policies, users, permissions, a definitions import) is not carried out where it
 * arrives. Once authenticated and authorised there, it becomes one command of the metadata
 * group's log (docs/cluster.md); every node, in log order, replays it against its own routes
 * through `app.inject`, and the node it arrived on answers with what its own replay answered.
 * So a definitions import is one committed change, and every node decides the same way.
 *
 * A replay carries a token that never leaves the process, so no client can pass for one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ClusterUnavailableError, type MetadataCommand, type MetadataGroup, type MetadataOutcome } from '@warren/cluster';
import { WarrenError } from '@warren/protocol';
import { ReplayPrincipal } from './replay-principal.js';

const REPLAY_HEADER = 'x-warren-replay';
const REPLAY_USER_HEADER = 'x-warren-replay-user';

/** The management API's metadata changes (route-rules.ts names the same routes). */
const REPLICATED = new Set([
  'PUT /api/vhosts/:name',
  'DELETE /api/vhosts/:name',
  'PUT /api/users/:name',
  'DELETE /api/users/:name',
  'PUT /api/permissions/:vhost/:user',
  'DELETE /api/permissions/:vhost/:user',
  'PUT /api/topic-permissions/:vhost/:user',
  'DELETE /api/topic-permissions/:vhost/:user',
  'PUT /api/exchanges/:vhost/:name',
  'DELETE /api/exchanges/:vhost/:name',
  'PUT /api/queues/:vhost/:name',
  'DELETE /api/queues/:vhost/:name',
  'POST /api/bindings/:vhost/e/:source/q/:destination',
  'POST /api/bindings/:vhost/e/:source/e/:destination',
  'DELETE /api/bindings/:vhost/e/:source/q/:destination/:props',
  'DELETE /api/bindings/:vhost/e/:source/e/:destination/:props',
  'PUT /api/policies/:vhost/:name',
  'DELETE /api/policies/:vhost/:name',
  'POST /api/definitions',
  'POST /api/definitions/:vhost',
  'PUT /api/nodes/:name/address',
  'DELETE /api/nodes/:name/address',
  'POST /api/rebalance/moves',
]);

export class MetadataReplication {
  readonly #token = randomBytes(32).toString('base64url');
  readonly #replays = new WeakSet<FastifyRequest>();
  #group: MetadataGroup | undefined;

  /** Before the access hooks: a replay is let through as the user who made the change. */
  installReplayGate(app: FastifyInstance): void {
    app.addHook('onRequest', async (request) => {
      const token = request.headers[REPLAY_HEADER];
      if (token === undefined) return;
      if (typeof token !== 'string' || !sameToken(token, this.#token)) throw new WarrenError('not_authorized', 'not a replay of this node');
      const user = request.headers[REPLAY_USER_HEADER];
      request.principal = new ReplayPrincipal(typeof user === 'string' ? user : 'unknown');
      this.#replays.add(request);
    });
  }

  /** After the access hooks: an authorised change goes through the metadata log. */
  installForwarding(app: FastifyInstance): void {
    app.addHook('preHandler', async (request, reply) => {
      if (this.#replays.has(request) || !REPLICATED.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;
      const group = this.#group;
      if (group === undefined) return;
      const outcome = await this.change({ method: request.method, url: request.url, body: request.body ?? undefined, user: request.principal?.user ?? 'guest' });
      void reply.code(outcome.status);
      if (outcome.contentType !== undefined) void reply.header('content-type', outcome.contentType);
      return reply.send(outcome.body === '' ? undefined : outcome.body);
    });
  }

  attach(group: MetadataGroup): void {
    this.#group = group;
  }

  /** Commits a change and answers what applying it answered on this node (cluster_unavailable without a majority). */
  async change(command: MetadataCommand): Promise<MetadataOutcome> {
    try {
      return await this.#group!.change(command);
    } catch (error) {
      if (error instanceof ClusterUnavailableError) throw new WarrenError('cluster_unavailable', error.message);
      throw error;
    }
  }

  /** Carries out one committed change on this node, through its own routes. */
  async replay(app: FastifyInstance, command: MetadataCommand): Promise<MetadataOutcome> {
    const response = await app.inject({
      method: command.method as 'PUT',
      url: command.url,
      headers: { [REPLAY_HEADER]: this.#token, [REPLAY_USER_HEADER]: command.user, ...(command.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(command.body === undefined ? {} : { payload: JSON.stringify(command.body) }),
    });
    const contentType = response.headers['content-type'];
    return { status: response.statusCode, contentType: typeof contentType === 'string' ? contentType : undefined, body: response.body };
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
