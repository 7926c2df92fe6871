/**
 * A connection and a consumer as RabbitMQ's management API shows them (`/api/connections`,
 * `/api/consumers`). A Warren connection is one WebSocket with one channel, speaking
 * docs/protocol.md rather than AMQP, so `protocol` says so and `channels` is 1.
 */
import { PROTOCOL_VERSION } from '@warren/protocol';
import type { Consumer } from '@warren/core';
import type { Session } from '../ws/session.js';
import { CONNECTION_COUNTERS, messageStatsView } from './stats-views.js';

export function connectionView(session: Session, node: string): Record<string, unknown> {
  const info = session.info;
  return {
    name: session.id,
    node,
    type: 'network',
    state: session.publisherBlock.isBlocked ? 'blocked' : session.inFlow ? 'flow' : 'running',
    user: session.user,
    vhost: session.vhost?.name ?? null,
    protocol: `Warren WebSocket ${PROTOCOL_VERSION}`,
    host: info.host,
    port: info.port,
    peer_host: info.peerHost,
    peer_port: info.peerPort,
    ssl: false,
    auth_mechanism: 'PLAIN',
    connected_at: info.connectedAt,
    timeout: Math.round(session.heartbeat / 1000),
    frame_max: session.config.maxMessageSize,
    channels: 1,
    channel_max: 1,
    client_properties: info.client === undefined ? {} : { product: info.client },
    consumer_count: session.consumers.size,
    messages_unacknowledged: session.unacked.size,
    recv_oct: info.recvOct,
    recv_oct_details: { rate: Math.round(info.recvOctRate) },
    send_oct: info.sendOct,
    send_oct_details: { rate: Math.round(info.sendOctRate) },
    recv_cnt: info.recvCnt,
    send_cnt: info.sendCnt,
    message_stats: messageStatsView(info.messageStats, CONNECTION_COUNTERS),
  };
}

/** RabbitMQ names a channel after its connection and number; a Warren connection's one channel is number 1. */
export function channelName(session: Session): string {
  return `${session.id} (1)`;
}

/** The connection's one channel: its consumers, prefetch and unacknowledged deliveries, and its message counters. */
export function channelView(session: Session, node: string): Record<string, unknown> {
  const info = session.info;
  return {
    name: channelName(session),
    number: 1,
    node,
    user: session.user,
    vhost: session.vhost?.name ?? null,
    state: session.publisherBlock.isBlocked ? 'flow' : 'running',
    connection_details: { name: session.id, peer_host: info.peerHost, peer_port: info.peerPort },
    consumer_count: session.consumers.size,
    messages_unacknowledged: session.unacked.size,
    messages_unconfirmed: 0,
    confirm: true,
    transactional: false,
    prefetch_count: 0,
    message_stats: messageStatsView(info.messageStats, CONNECTION_COUNTERS),
  };
}

export function consumerView(session: Session, consumer: Consumer, node: string): Record<string, unknown> {
  const o = consumer.options;
  // Under single active consumer (RabbitMQ's statuses) the others are attached but waiting.
  const single = consumer.queue.settings.singleActiveConsumer === true;
  const waiting = single && consumer.queue.singleActiveConsumer !== consumer;
  return {
    consumer_tag: consumer.tag,
    queue: { name: consumer.queue.name, vhost: consumer.queue.record.vhost },
    channel_details: {
      name: channelName(session),
      number: 1,
      connection_name: session.id,
      peer_host: session.info.peerHost,
      peer_port: session.info.peerPort,
      user: session.user,
      node,
    },
    ack_required: !o.noAck,
    exclusive: o.exclusive,
    prefetch_count: o.prefetch,
    active: consumer.active && !waiting,
    activity_status: !consumer.active ? 'suspended' : !single ? 'up' : waiting ? 'waiting' : 'single_active',
    arguments: o.arguments,
    consumer_timeout: o.ackTimeout ?? consumer.queue.settings.ackTimeout ?? null,
    // Warren: deliveries this consumer holds unsettled.
    messages_unacknowledged: consumer.unacked,
  };
}
