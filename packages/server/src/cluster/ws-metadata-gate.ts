/**
 * Cluster mode over the WebSocket: a frame that changes metadata (exchange and queue declare,
 * delete, bind, unbind; policy declare and delete) is turned into the management API request that
 * means the same, committed in the metadata group like any other change (metadata-replication.ts),
 * and answered once this node has applied it. What stays on this node: passive declares (a look),
 * exclusive queues (they belong to this connection and die with it, so they live where it is).
 * A client that sends a declare and, without waiting for its answer, a publish that depends on
 * it may see the publish routed before the declare is applied; clients await declares.
 */
import type { Broker } from '@warren/core';
import { checkExchangeArguments, checkQueueArguments, isErrorCode, parsePolicyBody, WarrenError, type ClientFrame, type ErrorCode } from '@warren/protocol';
import type { Session } from '../ws/session.js';
import { propertiesKey } from '../http/views.js';
import type { MetadataReplication } from './metadata-replication.js';

const gates = new WeakMap<Broker, MetadataReplication>();

/** Turns the gate on for the sessions of this broker (boot, cluster mode only). */
export function gateMetadataFrames(broker: Broker, replication: MetadataReplication): void {
  gates.set(broker, replication);
}

interface Request {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** The ok frame's fields, read on this node once the change is applied. */
  readonly answer?: () => Record<string, unknown>;
  /** An error code that still means done (AMQP's unbind of a binding that is not there). */
  readonly alsoOk?: string;
}

const METADATA_FRAMES = new Set<string>([
  'exchange.declare',
  'exchange.delete',
  'exchange.bind',
  'exchange.unbind',
  'queue.declare',
  'queue.delete',
  'queue.bind',
  'queue.unbind',
  'policy.declare',
  'policy.delete',
]);

/** Whether the cluster took the frame (it answers it later); false: handle it here as usual. */
export function takenByCluster(session: Session, frame: ClientFrame): boolean {
  // Every frame passes here, publishes included: the type is looked at before anything else.
  if (!METADATA_FRAMES.has(frame.type)) return false;
  const replication = gates.get(session.broker);
  if (replication === undefined || session.vhost === undefined || !('id' in frame)) return false;
  const request = requestFor(session, frame);
  if (request === undefined) return false;
  const id = frame.id;
  replication.change({ method: request.method, url: request.path, body: request.body, user: session.user }).then(
    (outcome) => {
      if (outcome.status < 300) return session.reply(id, request.answer?.() ?? {});
      const { error, reason } = errorOf(outcome.body);
      if (error === request.alsoOk) return session.reply(id, request.answer?.() ?? {});
      session.reportError(new WarrenError(error, reason, { context: { id } }));
    },
    (error: unknown) => session.reportError(error instanceof WarrenError ? new WarrenError(error.code, error.message, { context: { id } }) : error),
  );
  return true;
}

/** The management API's error body, as the WebSocket error it stands for. */
function errorOf(body: string): { error: ErrorCode; reason: string } {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; reason?: unknown };
    if (isErrorCode(parsed.error)) return { error: parsed.error, reason: typeof parsed.reason === 'string' ? parsed.reason : parsed.error };
  } catch {
    // Not Warren's error shape: reported as an internal error below.
  }
  return { error: 'internal_error', reason: 'applying the change failed' };
}

function requestFor(session: Session, frame: ClientFrame): Request | undefined {
  const vhost = session.vhost!;
  const v = encodeURIComponent(vhost.name);
  const at = (...names: string[]) => names.map(encodeURIComponent).join('/');
  switch (frame.type) {
    case 'exchange.declare': {
      if (frame.passive === true) return undefined;
      const args = frame.arguments ?? {};
      checkExchangeArguments(args);
      const body = { type: frame.kind, durable: frame.durable ?? true, auto_delete: frame.auto_delete ?? false, internal: frame.internal ?? false, arguments: args };
      return { method: 'PUT', path: `/api/exchanges/${v}/${at(frame.exchange)}`, body };
    }
    case 'exchange.delete':
      return { method: 'DELETE', path: `/api/exchanges/${v}/${at(frame.exchange)}${frame.if_unused === true ? '?if-unused=true' : ''}` };
    case 'exchange.bind':
      return { method: 'POST', path: `/api/bindings/${v}/e/${at(frame.source)}/e/${at(frame.destination)}`, body: { routing_key: frame.routing_key ?? '', arguments: frame.arguments ?? {} } };
    case 'exchange.unbind':
      return { method: 'DELETE', path: `/api/bindings/${v}/e/${at(frame.source)}/e/${at(frame.destination)}/${at(propertiesKey(frame.routing_key ?? '', frame.arguments ?? {}))}`, alsoOk: 'not_found' };
    case 'queue.declare': {
      if (frame.passive === true || frame.exclusive === true) return undefined;
      const args = frame.arguments ?? {};
      checkQueueArguments(args);
      const name = frame.queue === '' ? `amq.gen-${session.broker.newId()}` : frame.queue;
      const answer = () => {
        const queue = vhost.queue(name);
        return { queue: name, message_count: queue?.messageCount ?? 0, consumer_count: queue?.consumers.length ?? 0 };
      };
      return { method: 'PUT', path: `/api/queues/${v}/${at(name)}`, body: { durable: frame.durable ?? true, auto_delete: frame.auto_delete ?? false, arguments: args }, answer };
    }
    case 'queue.delete': {
      const count = vhost.queue(frame.queue)?.messageCount ?? 0;
      const query = [frame.if_unused === true ? 'if-unused=true' : '', frame.if_empty === true ? 'if-empty=true' : ''].filter((q) => q !== '').join('&');
      return { method: 'DELETE', path: `/api/queues/${v}/${at(frame.queue)}${query === '' ? '' : `?${query}`}`, answer: () => ({ message_count: count }) };
    }
    case 'queue.bind':
      return { method: 'POST', path: `/api/bindings/${v}/e/${at(frame.exchange)}/q/${at(frame.queue)}`, body: { routing_key: frame.routing_key ?? '', arguments: frame.arguments ?? {} } };
    case 'queue.unbind':
      return { method: 'DELETE', path: `/api/bindings/${v}/e/${at(frame.exchange)}/q/${at(frame.queue)}/${at(propertiesKey(frame.routing_key ?? '', frame.arguments ?? {}))}`, alsoOk: 'not_found' };
    case 'policy.declare':
      parsePolicyBody(frame.policy);
      return { method: 'PUT', path: `/api/policies/${v}/${at(frame.name)}`, body: frame.policy };
    case 'policy.delete':
      return { method: 'DELETE', path: `/api/policies/${v}/${at(frame.name)}` };
    default:
      return undefined;
  }
}
