/**
 * The per-frame check of every WebSocket frame after the handshake: what each frame needs, by
 * RabbitMQ's access control table (configure / write / read on the named queue or exchange, topic
 * permissions on routing keys of topic exchanges, tags for policies), plus the per-vhost queue
 * limit (limits.ts). A refusal throws WarrenError `access_refused` tagged with the frame's id or
 * seq, so it answers that frame only; it is logged and audited by AccessControl. Frames that only
 * settle the connection's own deliveries need nothing. Publishes are the hot path: their answer
 * is cached per exchange until the registry's generation changes.
 */
import { WarrenError, type ClientFrame } from '@warren/protocol';
import type { Broker } from '@warren/core';
import type { Principal, PermissionKind, TopicKind } from './principal.js';

export interface FrameAccessContext {
  readonly principal: Principal;
  readonly vhost: string;
  readonly broker: Broker;
  /** The registry's generation now (access-registry.ts). */
  generation(): number;
}

/** A refusal: what was asked, for the error message, the log and the audit log. */
export interface Refusal {
  operation: string;
  object: { type: 'queue' | 'exchange' | 'policy' | 'connection'; vhost: string; name: string | null };
  reason: string;
}

export class FrameAccess {
  private readonly writable = new Map<string, boolean>();
  private cachedAt = -1;

  constructor(
    private readonly context: FrameAccessContext,
    private readonly onRefused: (refusal: Refusal) => void,
  ) {}

  check(frame: ClientFrame): void {
    const where = 'id' in frame ? { id: frame.id as number } : 'seq' in frame ? { seq: frame.seq as number } : {};
    const refusal = this.refusal(frame);
    if (refusal === undefined) return;
    this.onRefused(refusal);
    throw new WarrenError('access_refused', refusal.reason, { context: where });
  }

  private refusal(frame: ClientFrame): Refusal | undefined {
    switch (frame.type) {
      case 'publish':
        return this.publish(frame.exchange, frame.routing_key);
      case 'exchange.declare':
        return frame.passive === true ? undefined : this.need(frame.type, 'configure', 'exchange', frame.exchange);
      case 'exchange.delete':
        return this.need(frame.type, 'configure', 'exchange', frame.exchange);
      case 'exchange.bind':
      case 'exchange.unbind':
        return (
          this.need(frame.type, 'write', 'exchange', frame.destination) ??
          this.need(frame.type, 'read', 'exchange', frame.source) ??
          this.topic(frame.type, frame.source, 'read', frame.routing_key ?? '')
        );
      case 'queue.declare':
        return frame.passive === true ? undefined : this.need(frame.type, 'configure', 'queue', frame.queue === '' ? 'amq.gen-' : frame.queue);
      case 'queue.delete':
        return this.need(frame.type, 'configure', 'queue', frame.queue);
      case 'queue.bind':
      case 'queue.unbind':
        return (
          this.need(frame.type, 'write', 'queue', frame.queue) ??
          this.need(frame.type, 'read', 'exchange', frame.exchange) ??
          this.topic(frame.type, frame.exchange, 'read', frame.routing_key ?? '')
        );
      case 'queue.purge':
      case 'queue.browse':
      case 'consume':
        return this.need(frame.type, 'read', 'queue', frame.queue);
      case 'policy.declare':
      case 'policy.delete':
        return this.tag(frame.type, 'policymaker', 'policy', frame.name);
      case 'policy.list':
        return this.tag(frame.type, 'management', 'policy', null);
      case 'scheduled.list':
        if (frame.queue !== undefined) return this.need(frame.type, 'read', 'queue', frame.queue);
        if (frame.exchange !== undefined) return this.need(frame.type, 'read', 'exchange', frame.exchange);
        return this.tag(frame.type, 'management', 'connection', null);
      case 'scheduled.cancel':
      case 'scheduled.reschedule':
        return this.tag(frame.type, 'management', 'connection', null);
      default:
        return undefined;
    }
  }

  private publish(exchange: string, routingKey: string): Refusal | undefined {
    const generation = this.context.generation();
    if (generation !== this.cachedAt) {
      this.writable.clear();
      this.cachedAt = generation;
    }
    let may = this.writable.get(exchange);
    if (may === undefined) {
      may = this.context.principal.may(this.context.vhost, 'write', exchange);
      this.writable.set(exchange, may);
    }
    if (!may) return this.refused('publish', 'write', 'exchange', exchange);
    return this.topic('publish', exchange, 'write', routingKey);
  }

  private need(operation: string, kind: PermissionKind, type: 'queue' | 'exchange', name: string): Refusal | undefined {
    return this.context.principal.may(this.context.vhost, kind, name) ? undefined : this.refused(operation, kind, type, name);
  }

  /** Topic permissions apply to topic exchanges only (RabbitMQ). */
  private topic(operation: string, exchange: string, kind: TopicKind, routingKey: string): Refusal | undefined {
    const { principal, vhost, broker } = this.context;
    if (broker.vhost(vhost)?.exchange(exchange)?.record.type !== 'topic') return undefined;
    if (principal.mayTopic(vhost, exchange, kind, routingKey)) return undefined;
    return {
      operation,
      object: { type: 'exchange', vhost, name: exchange },
      reason: `${kind} access to topic '${routingKey}' in exchange '${exchange}' in vhost '${vhost}' refused for user '${principal.user}'`,
    };
  }

  private tag(operation: string, tag: string, type: Refusal['object']['type'], name: string | null): Refusal | undefined {
    const { principal, vhost } = this.context;
    if (principal.hasTag(tag)) return undefined;
    return { operation, object: { type, vhost, name }, reason: `${operation} needs the '${tag}' tag; user '${principal.user}' does not have it` };
  }

  private refused(operation: string, kind: PermissionKind, type: 'queue' | 'exchange', name: string): Refusal {
    const { principal, vhost } = this.context;
    const shown = type === 'exchange' && name === '' ? 'amq.default' : name;
    return {
      operation,
      object: { type, vhost, name },
      reason: `${kind} access to ${type} '${shown}' in vhost '${vhost}' refused for user '${principal.user}'`,
    };
  }
}
