/** exchange.declare / delete / bind / unbind → the vhost, then a reply once written. */
import { checkExchangeArguments, type ExchangeBindFrame, type ExchangeDeclareFrame, type ExchangeDeleteFrame } from '@warren/protocol';
import type { Session } from '../session.js';
import { withContext } from './context.js';

export function handleDeclareExchange(session: Session, frame: ExchangeDeclareFrame): void {
  withContext({ id: frame.id }, () => {
    const args = frame.arguments ?? {};
    checkExchangeArguments(args);
    session.vhost!.declareExchange(
      {
        name: frame.exchange,
        type: frame.kind,
        durable: frame.durable ?? true,
        autoDelete: frame.auto_delete ?? false,
        internal: frame.internal ?? false,
        arguments: args,
      },
      frame.passive ?? false,
    );
  });
  session.reply(frame.id);
}

export function handleDeleteExchange(session: Session, frame: ExchangeDeleteFrame): void {
  withContext({ id: frame.id }, () => session.vhost!.deleteExchange(frame.exchange, frame.if_unused ?? false));
  const object = { type: 'exchange' as const, vhost: session.vhost!.name, name: frame.exchange };
  session.broker.audit.record({ user: session.user, verified: session.verified, action: 'exchange.delete', object, parameters: { if_unused: frame.if_unused ?? false } });
  session.reply(frame.id);
}

export function handleBindExchange(session: Session, frame: ExchangeBindFrame): void {
  withContext({ id: frame.id }, () =>
    session.vhost!.bindExchange(frame.destination, frame.source, frame.routing_key ?? '', frame.arguments ?? {}),
  );
  session.reply(frame.id);
}

export function handleUnbindExchange(session: Session, frame: ExchangeBindFrame): void {
  withContext({ id: frame.id }, () =>
    session.vhost!.unbindExchange(frame.destination, frame.source, frame.routing_key ?? '', frame.arguments ?? {}),
  );
  session.reply(frame.id);
}
