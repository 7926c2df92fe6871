/** Frame type → handler. Before the handshake completes only `hello` is accepted. */
import { WarrenError, type ClientFrame } from '@warren/protocol';
import type { Session } from '../session.js';
import { handleClose, handleHello } from './connection.js';
import { handleBindExchange, handleDeclareExchange, handleDeleteExchange, handleUnbindExchange } from './exchange.js';
import { handleBindQueue, handleDeclareQueue, handleDeleteQueue, handlePurgeQueue, handleUnbindQueue } from './queue.js';
import { handleDeclarePolicy, handleDeletePolicy, handleListPolicies } from './policy.js';
import { handleCancelScheduled, handleListScheduled, handleRescheduleScheduled } from './scheduled.js';
import { handlePublish } from './publish.js';
import { takenByCluster } from '../../cluster/ws-metadata-gate.js';
import { handleBrowseQueue } from './browse.js';
import { handleAck, handleCancel, handleConsume, handleExtend, handleNack, handleReject, handleRetry } from './consume.js';

/** `body` is the frame's body: a publish's message, empty for every other frame. */
export function handleFrame(session: Session, frame: ClientFrame, body: Uint8Array): void {
  if (session.state === 'handshake') {
    if (frame.type !== 'hello') throw new WarrenError('handshake_required', `expected hello, got ${frame.type}`);
    handleHello(session, frame);
    return;
  }
  if (session.state !== 'open') return;
  if (takenByCluster(session, frame)) return;
  switch (frame.type) {
    case 'publish':
      return handlePublish(session, frame, body);
    case 'ack':
      return handleAck(session, frame);
    case 'nack':
      return handleNack(session, frame);
    case 'reject':
      return handleReject(session, frame);
    case 'retry':
      return handleRetry(session, frame);
    case 'extend':
      return handleExtend(session, frame);
    case 'heartbeat':
      return;
    case 'hello':
      throw new WarrenError('frame_invalid', 'hello was already received on this connection');
    case 'close':
      return handleClose(session);
    case 'auth.refresh':
      // A guarded session handles it before here (auth/session-guard.ts).
      throw new WarrenError('frame_invalid', 'this connection has no authentication to refresh', { context: { id: frame.id } });
    case 'exchange.declare':
      return handleDeclareExchange(session, frame);
    case 'exchange.delete':
      return handleDeleteExchange(session, frame);
    case 'exchange.bind':
      return handleBindExchange(session, frame);
    case 'exchange.unbind':
      return handleUnbindExchange(session, frame);
    case 'queue.declare':
      return handleDeclareQueue(session, frame);
    case 'queue.bind':
      return handleBindQueue(session, frame);
    case 'queue.unbind':
      return handleUnbindQueue(session, frame);
    case 'queue.purge':
      return handlePurgeQueue(session, frame);
    case 'queue.delete':
      return handleDeleteQueue(session, frame);
    case 'queue.browse':
      return handleBrowseQueue(session, frame);
    case 'consume':
      return handleConsume(session, frame);
    case 'cancel':
      return handleCancel(session, frame);
    case 'policy.declare':
      return handleDeclarePolicy(session, frame);
    case 'policy.delete':
      return handleDeletePolicy(session, frame);
    case 'policy.list':
      return handleListPolicies(session, frame);
    case 'scheduled.list':
      return handleListScheduled(session, frame);
    case 'scheduled.cancel':
      return handleCancelScheduled(session, frame);
    case 'scheduled.reschedule':
      return handleRescheduleScheduled(session, frame);
  }
}
