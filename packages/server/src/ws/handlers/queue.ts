/** queue.declare / bind / unbind / purge / delete → the vhost, then a reply once written. */
import {
  checkQueueArguments,
  WarrenError,
  type QueueBindFrame,
  type QueueDeclareFrame,
  type QueueDeleteFrame,
  type QueuePurgeFrame,
} from '@warren/protocol';
import type { Session } from '../session.js';
import { withContext } from './context.js';

export function handleDeclareQueue(session: Session, frame: QueueDeclareFrame): void {
  const queue = withContext({ id: frame.id }, () => {
    const args = frame.arguments ?? {};
    checkQueueArguments(args);
    return session.vhost!.declareQueue(
      {
        name: frame.queue,
        durable: frame.durable ?? true,
        exclusive: frame.exclusive ?? false,
        autoDelete: frame.auto_delete ?? false,
        arguments: args,
      },
      frame.passive ?? false,
      session.id,
    );
  });
  session.reply(frame.id, { queue: queue.name, message_count: queue.messageCount, consumer_count: queue.consumers.length });
}

export function handleBindQueue(session: Session, frame: QueueBindFrame): void {
  withContext({ id: frame.id }, () =>
    session.vhost!.bindQueue(frame.queue, frame.exchange, frame.routing_key ?? '', frame.arguments ?? {}, session.id),
  );
  session.reply(frame.id);
}

export function handleUnbindQueue(session: Session, frame: QueueBindFrame): void {
  withContext({ id: frame.id }, () =>
    session.vhost!.unbindQueue(frame.queue, frame.exchange, frame.routing_key ?? '', frame.arguments ?? {}, session.id),
  );
  session.reply(frame.id);
}

export function handlePurgeQueue(session: Session, frame: QueuePurgeFrame): void {
  const purged = withContext({ id: frame.id }, () => session.vhost!.purgeQueueCommitted(frame.queue, session.id));
  const object = { type: 'queue' as const, vhost: session.vhost!.name, name: frame.queue };
  // A classic queue's purge is done already; a replicated queue's once its log committed it.
  purged.then(
    (count) => {
      session.broker.audit.record({ user: session.user, verified: session.verified, action: 'queue.purge', object, counts: { messages: count } });
      session.reply(frame.id, { message_count: count });
    },
    (error: unknown) => session.reportError(error instanceof WarrenError ? new WarrenError(error.code, error.message, { context: { id: frame.id } }) : error),
  );
}

export function handleDeleteQueue(session: Session, frame: QueueDeleteFrame): void {
  const count = withContext({ id: frame.id }, () =>
    session.vhost!.deleteQueue(frame.queue, frame.if_unused ?? false, frame.if_empty ?? false, session.id),
  );
  const object = { type: 'queue' as const, vhost: session.vhost!.name, name: frame.queue };
  const parameters = { if_unused: frame.if_unused ?? false, if_empty: frame.if_empty ?? false };
  session.broker.audit.record({ user: session.user, verified: session.verified, action: 'queue.delete', object, parameters, counts: { messages: count } });
  session.reply(frame.id, { message_count: count });
}

