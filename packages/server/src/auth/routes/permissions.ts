/**
 * `/api/permissions` and `/api/topic-permissions` (per vhost and user), and each user's lists
 * under `/api/users/{name}/…`, in RabbitMQ's shape. A permission names an existing user and
 * vhost; its regexes must compile (RE2 syntax, patterns.ts). Changes apply to open connections
 * from their next frame (access-registry.ts's generation) and are audited.
 */
import type { FastifyInstance } from 'fastify';
import { parsePermissionBody, parseTopicPermissionBody, WarrenError, type PermissionView, type TopicPermissionView } from '@warren/protocol';
import type { AccessControl } from '../access-control.js';
import { written } from '../../http/lookup.js';
import { httpActor } from '../../audit/user.js';

interface Params {
  vhost: string;
  user: string;
}

export function permissionRoutes(app: FastifyInstance, access: AccessControl): void {
  const { registry, broker } = access;
  const requireTargets = ({ vhost, user }: Params): void => {
    if (broker.vhost(vhost) === undefined) throw new WarrenError('vhost_not_found', `no vhost '${vhost}'`);
    if (registry.user(user) === undefined) throw new WarrenError('not_found', `no user '${user}'`);
  };

  app.get('/api/permissions', async (): Promise<PermissionView[]> => [...registry.permissions.values()]);
  app.get<{ Params: { name: string } }>('/api/users/:name/permissions', async (request): Promise<PermissionView[]> =>
    [...registry.permissions.values()].filter((p) => p.user === request.params.name),
  );

  app.get<{ Params: Params }>('/api/permissions/:vhost/:user', async (request): Promise<PermissionView> => {
    const permission = registry.permission(request.params.user, request.params.vhost);
    if (permission === undefined) throw new WarrenError('not_found', `user '${request.params.user}' has no permissions in vhost '${request.params.vhost}'`);
    return permission;
  });

  app.put<{ Params: Params }>('/api/permissions/:vhost/:user', async (request, reply) => {
    const body = parsePermissionBody(request.body);
    requireTargets(request.params);
    const existed = registry.permission(request.params.user, request.params.vhost) !== undefined;
    const record = { user: request.params.user, vhost: request.params.vhost, configure: body.configure, write: body.write, read: body.read };
    registry.putPermission(record);
    broker.audit.record({ ...httpActor(request), action: 'permission.set', object: { type: 'permission', vhost: record.vhost, name: record.user }, parameters: { ...body } });
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.delete<{ Params: Params }>('/api/permissions/:vhost/:user', async (request, reply) => {
    const { vhost, user } = request.params;
    if (!registry.deletePermission(user, vhost)) throw new WarrenError('not_found', `user '${user}' has no permissions in vhost '${vhost}'`);
    broker.audit.record({ ...httpActor(request), action: 'permission.delete', object: { type: 'permission', vhost, name: user } });
    await written(broker);
    return reply.code(204).send();
  });

  app.get('/api/topic-permissions', async (): Promise<TopicPermissionView[]> => [...registry.topicPermissions.values()]);
  app.get<{ Params: { name: string } }>('/api/users/:name/topic-permissions', async (request): Promise<TopicPermissionView[]> =>
    [...registry.topicPermissions.values()].filter((p) => p.user === request.params.name),
  );

  app.get<{ Params: Params }>('/api/topic-permissions/:vhost/:user', async (request): Promise<TopicPermissionView[]> => {
    const list = [...registry.topicPermissions.values()].filter((t) => t.user === request.params.user && t.vhost === request.params.vhost);
    if (list.length === 0) throw new WarrenError('not_found', `user '${request.params.user}' has no topic permissions in vhost '${request.params.vhost}'`);
    return list;
  });

  app.put<{ Params: Params }>('/api/topic-permissions/:vhost/:user', async (request, reply) => {
    const body = parseTopicPermissionBody(request.body);
    requireTargets(request.params);
    const { vhost, user } = request.params;
    const existed = registry.topicPermission(user, vhost, body.exchange) !== undefined;
    registry.putTopicPermission({ user, vhost, exchange: body.exchange, write: body.write, read: body.read });
    broker.audit.record({ ...httpActor(request), action: 'topic_permission.set', object: { type: 'topic_permission', vhost, name: user }, parameters: { ...body } });
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  /** All of the user's topic permissions in the vhost, or with `?exchange=` only that exchange's (RabbitMQ). */
  app.delete<{ Params: Params; Querystring: { exchange?: string } }>('/api/topic-permissions/:vhost/:user', async (request, reply) => {
    const { vhost, user } = request.params;
    const exchange = typeof request.query.exchange === 'string' ? request.query.exchange : undefined;
    const targets = [...registry.topicPermissions.values()].filter((t) => t.user === user && t.vhost === vhost && (exchange === undefined || t.exchange === exchange));
    if (targets.length === 0) throw new WarrenError('not_found', `user '${user}' has no topic permissions in vhost '${vhost}'`);
    for (const t of targets) registry.deleteTopicPermission(t.user, t.vhost, t.exchange);
    broker.audit.record({ ...httpActor(request), action: 'topic_permission.delete', object: { type: 'topic_permission', vhost, name: user }, parameters: exchange === undefined ? {} : { exchange } });
    await written(broker);
    return reply.code(204).send();
  });
}
