/**
 * The global message counters, named as rabbitmq_prometheus names them
 * (rabbitmq_global_messages_*_total), read from core's BrokerCounters. Warren has one protocol
 * and one queue type today; the labels are there because RabbitMQ's dashboards sum over them.
 */
import type { BrokerCounters, DeadLetterStrategy, DeathReason } from '@warren/core';
import type { Families, Labels } from './families.js';

const PROTOCOL = { protocol: 'warren' };
const CLASSIC = { protocol: 'warren', queue_type: 'classic' };
const DEATH_REASONS: readonly DeathReason[] = ['rejected', 'expired', 'maxlen', 'delivery_limit', 'retries_exhausted'];
const STRATEGIES: readonly DeadLetterStrategy[] = ['disabled', 'at_most_once', 'at_least_once'];

export function messageFamilies(f: Families, c: BrokerCounters): void {
  const byProtocol = (name: string, help: string, read: () => number) => f.counter(name, help, () => [[PROTOCOL, read()]], ['protocol']);
  const byQueueType = (name: string, help: string, read: () => number) =>
    f.counter(name, help, () => [[CLASSIC, read()]], ['protocol', 'queue_type']);

  byProtocol('global_messages_received_total', 'Messages published to the broker', () => c.received);
  byProtocol('global_messages_received_confirm_total', 'Messages published that expect a publisher confirm', () => c.receivedConfirm);
  byProtocol('global_messages_routed_total', 'Messages routed to at least one queue', () => c.routed);
  byProtocol('global_messages_unroutable_dropped_total', 'Unroutable messages dropped (not mandatory)', () => Math.max(0, c.unroutable - c.returned));
  byProtocol('global_messages_unroutable_returned_total', 'Unroutable mandatory messages returned to their publisher', () => c.returned);
  byProtocol('global_messages_confirmed_total', 'Messages confirmed to their publisher', () => c.confirmed);

  const delivered = () =>
    c.deliveredConsumeManualAck + c.deliveredConsumeAutoAck + c.deliveredGetManualAck + c.deliveredGetAutoAck;
  byQueueType('global_messages_delivered_total', 'Messages delivered to consumers or taken by a get', delivered);
  byQueueType('global_messages_delivered_consume_manual_ack_total', 'Messages delivered to consumers that ack', () => c.deliveredConsumeManualAck);
  byQueueType('global_messages_delivered_consume_auto_ack_total', 'Messages delivered to consumers without acks', () => c.deliveredConsumeAutoAck);
  byQueueType('global_messages_delivered_get_manual_ack_total', 'Messages taken by a get that must be acked', () => c.deliveredGetManualAck);
  byQueueType('global_messages_delivered_get_auto_ack_total', 'Messages taken by a get (HTTP …/get with ack mode)', () => c.deliveredGetAutoAck);
  byQueueType('global_messages_get_empty_total', 'Gets that found their queue empty', () => c.getEmpty);
  byQueueType('global_messages_redelivered_total', 'Deliveries of messages delivered before', () => c.redelivered);
  byQueueType('global_messages_acknowledged_total', 'Deliveries acknowledged by consumers', () => c.acknowledged);

  for (const reason of DEATH_REASONS) {
    f.counter(
      `global_messages_dead_lettered_${reason}_total`,
      `Messages dead-lettered with reason ${reason} (dead_letter_strategy disabled: the queue has no dead-letter exchange)`,
      () => STRATEGIES.map((strategy): [Labels, number] => [{ queue_type: 'classic', dead_letter_strategy: strategy }, c.deadLettered[reason][strategy]]),
      ['queue_type', 'dead_letter_strategy'],
    );
  }

  f.counter('queues_declared_total', 'Queue declarations, including those of queues that existed', () => c.queuesDeclared);
  f.counter('queues_created_total', 'Queues created', () => c.queuesCreated);
  f.counter('queues_deleted_total', 'Queues deleted', () => c.queuesDeleted);
  f.counter('connections_opened_total', 'Client connections opened', () => c.connectionsOpened);
  f.counter('connections_closed_total', 'Client connections closed', () => c.connectionsClosed);
  // A Warren connection is one AMQP channel's worth: its consumers, publishes and acks share it.
  f.counter('channels_opened_total', 'Channels opened (one per Warren connection)', () => c.connectionsOpened);
  f.counter('channels_closed_total', 'Channels closed (one per Warren connection)', () => c.connectionsClosed);
}
