/**
 * Creating and deleting vhosts at run time: `PUT /api/vhosts/{vhost}` (201, or 204 when it
 * exists) and `DELETE /api/vhosts/{vhost}`, which takes the vhost's queues, messages, exchanges,
 * policies and permissions with it and closes its connections, as RabbitMQ does. The creator gets
 * full permissions on the new vhost (RabbitMQ's management plugin does the same).
 */
import type { FastifyInstance } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { AccessControl } from '../access-control.js';
import { written } from '../../http/lookup.js';
import { httpActor } from '../../audit/user.js';

export function vhostRoutes(app: FastifyInstance, access: AccessControl, closeConnections: (vhost: string) => void): void {
  const { broker, registry } = access;
  app.put<{ Params: { vhost: string } }>('/api/vhosts/:vhost', async (request, reply) => {
    const name = request.params.vhost;
    if (name === '' || name.length > 255) throw new WarrenError('invalid_argument', 'a vhost name must have 1 to 255 characters');
    const existed = broker.vhost(name) !== undefined;
    broker.declareVHost(name);
    const user = request.principal?.user;
    if (!existed && user !== undefined && registry.user(user) !== undefined && registry.permission(user, name) === undefined) {
      registry.putPermission({ user, vhost: name, configure: '.*', write: '.*', read: '.*' });
    }
    if (!existed) broker.audit.record({ ...httpActor(request), action: 'vhost.create', object: { type: 'vhost', vhost: name, name } });
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.delete<{ Params: { vhost: string } }>('/api/vhosts/:vhost', async (request, reply) => {
    const name = request.params.vhost;
    if (broker.vhost(name) === undefined) throw new WarrenError('vhost_not_found', `no vhost '${name}'`);
    closeConnections(name);
    broker.deleteVHost(name);
    registry.vhostDeleted(name);
    broker.audit.record({ ...httpActor(request), action: 'vhost.delete', object: { type: 'vhost', vhost: name, name } });
    await written(broker);
    return reply.code(204).send();
  });
}
