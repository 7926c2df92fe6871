/**
 * Dead-lettered messages grouped by reason, source queue and last error (Warren):
 * `GET /api/queues/{vhost}/{name}/failures` for one queue, `GET /api/failures/{vhost}` for every
 * dead-letter queue of the vhost (those the user may read). Reading and grouping is the core's
 * job (failure-groups.ts), which reads a queue again only once its ready messages changed; each
 * group's filter browses or redrives exactly it (queue-messages.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FAILURES_QUERY_SCHEMA, parseFailuresQuery, type FailureGroupView, type FailuresView } from '@warren/protocol';
import { deadLetterQueues, FailureScans, groupFailures, type Broker, type FailureGroup, type Queue } from '@warren/core';
import { queueOf, vhostOf, type NameParams, type VHostParams } from '../lookup.js';

export function failureRoutes(app: FastifyInstance, broker: Broker): void {
  const scans = new FailureScans();
  const answer = async (vhost: string, queues: Queue[], query: unknown): Promise<FailuresView> => {
    const { maxGroups } = parseFailuresQuery(query);
    const summary = await groupFailures(queues, maxGroups, broker.clock, scans);
    return { vhost, queues: queues.map((q) => q.name), groups: summary.groups.map(groupView), scanned: summary.scanned, ungrouped: summary.ungrouped };
  };

  const queueDoc = { summary: "Group a dead-letter queue's messages by reason, source queue and last error, with exact counts (Warren)", query: FAILURES_QUERY_SCHEMA };
  app.get<{ Params: NameParams }>('/api/queues/:vhost/:name/failures', { config: { doc: queueDoc } }, async (request) => {
    const queue = queueOf(broker, request.params);
    return answer(request.params.vhost, [queue], request.query);
  });

  const vhostDoc = { summary: "Group the messages of every dead-letter queue of a vhost (that the user may read) by reason, source queue and last error (Warren)", query: FAILURES_QUERY_SCHEMA };
  app.get<{ Params: VHostParams }>('/api/failures/:vhost', { config: { doc: vhostDoc } }, async (request) => {
    const vhost = vhostOf(broker, request.params.vhost);
    return answer(vhost.name, deadLetterQueues(vhost).filter((q) => mayRead(request, vhost.name, q.name)), request.query);
  });
}

/** Reading messages needs read on the queue, as `POST …/get` does; administrators read everything. */
function mayRead(request: FastifyRequest, vhost: string, queue: string): boolean {
  const principal = request.principal;
  return principal === null || principal.hasTag('administrator') || principal.may(vhost, 'read', queue);
}

function groupView(group: FailureGroup): FailureGroupView {
  return {
    queue: group.queue,
    reason: group.reason,
    source_queue: group.sourceQueue,
    last_error: group.lastError,
    count: group.count,
    oldest: new Date(group.oldest).toISOString(),
    newest: new Date(group.newest).toISOString(),
    filter: group.filter,
  };
}
