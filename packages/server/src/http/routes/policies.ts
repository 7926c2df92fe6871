/**
 * Policies: `PUT/GET/DELETE /api/policies/{vhost}/{name}` and the lists, in RabbitMQ's shape
 * (`apply-to`, `priority`, `definition`). The body is checked by protocol's policy schema; the
 * pattern and applying the policy to live queues and exchanges are the core's job, and so is
 * `?dry_run=true`'s preview of what a PUT would change (policy/dry-run.ts).
 */
import type { FastifyInstance } from 'fastify';
import { POLICY_BODY_SCHEMA, POLICY_PUT_QUERY_SCHEMA, parsePolicyBody, parsePolicyPutQuery, WarrenError, type PolicyView } from '@warren/protocol';
import { policyFromBody, previewPolicy, type Broker, type VHost } from '@warren/core';
import { vhostOf, written, type NameParams, type VHostParams } from '../lookup.js';
import { policyView } from '../views.js';
import { httpActor } from '../../audit/user.js';

export function policyRoutes(app: FastifyInstance, broker: Broker): void {
  app.get('/api/policies', { config: { doc: { summary: 'List every policy' } } }, async () => [...broker.vhosts.values()].flatMap(policyViews));

  app.get<{ Params: VHostParams }>('/api/policies/:vhost', { config: { doc: { summary: "List a vhost's policies" } } }, async (request) => policyViews(vhostOf(broker, request.params.vhost)));

  app.get<{ Params: NameParams }>('/api/policies/:vhost/:name', { config: { doc: { summary: 'Show a policy' } } }, async (request) => {
    const policy = vhostOf(broker, request.params.vhost).policies.get(request.params.name);
    if (policy === undefined) throw notFound(request.params);
    return policyView(policy.record);
  });

  app.put<{ Params: NameParams }>('/api/policies/:vhost/:name', { config: { doc: { summary: 'Set a policy (?dry_run=true: the queues and exchanges it would change)', body: POLICY_BODY_SCHEMA, query: POLICY_PUT_QUERY_SCHEMA } } }, async (request, reply) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const { dry_run: dryRun } = parsePolicyPutQuery(request.query ?? {});
    const body = parsePolicyBody(request.body);
    const record = policyFromBody(vhost.name, request.params.name, body);
    if (dryRun === 'true') return previewPolicy(vhost.policies, vhost.queues.values(), vhost.exchanges.values(), record);
    const existed = vhost.policies.has(request.params.name);
    vhost.setPolicy(record);
    const object = { type: 'policy' as const, vhost: vhost.name, name: request.params.name };
    broker.audit.record({ ...httpActor(request), action: 'policy.set', object, parameters: { ...body } });
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.delete<{ Params: NameParams }>('/api/policies/:vhost/:name', { config: { doc: { summary: 'Delete a policy' } } }, async (request, reply) => {
    if (!vhostOf(broker, request.params.vhost).deletePolicy(request.params.name)) throw notFound(request.params);
    broker.audit.record({ ...httpActor(request), action: 'policy.delete', object: { type: 'policy', vhost: request.params.vhost, name: request.params.name } });
    await written(broker);
    return reply.code(204).send();
  });
}

function policyViews(vhost: VHost): PolicyView[] {
  return [...vhost.policies.values()].map((p) => policyView(p.record));
}

function notFound(params: NameParams): WarrenError {
  return new WarrenError('not_found', `no policy '${params.name}' in vhost '${params.vhost}'`);
}
