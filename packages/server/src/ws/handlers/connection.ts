/** hello (handshake) and close. Heartbeats need no handler: any frame counts as a sign of life. */
import { PROTOCOL_VERSION, WarrenError, type HelloFrame } from '@warren/protocol';
import { DEFAULT_VHOST } from '@warren/core';
import type { Session } from '../session.js';
import { SERVER_NAME } from '../../version.js';

export function handleHello(session: Session, frame: HelloFrame): void {
  if (frame.version < 1) {
    throw new WarrenError('unsupported_version', `protocol version ${frame.version} is not supported; this server speaks ${PROTOCOL_VERSION}`);
  }
  const vhostName = frame.vhost ?? DEFAULT_VHOST;
  const vhost = session.broker.vhost(vhostName);
  if (vhost === undefined) throw new WarrenError('vhost_not_found', `no vhost '${vhostName}'`);
  const proposed = frame.heartbeat ?? session.config.heartbeat;
  const heartbeat = proposed === 0 || session.config.heartbeat === 0 ? 0 : Math.min(proposed, session.config.heartbeat);
  session.opened(vhost, heartbeat);
  if (frame.username !== undefined && frame.username !== '') session.user = frame.username;
  session.info.client = frame.client;
  session.logger.info({ connection: session.id, vhost: vhostName, client: frame.client, heartbeat }, 'connection opened');
  session.send({
    type: 'welcome',
    version: PROTOCOL_VERSION,
    server: SERVER_NAME,
    connection_id: session.id,
    heartbeat,
    max_message_size: session.config.maxMessageSize,
    publish_window: session.config.publishWindow,
  });
}

/** A client's close: answer once every earlier reply is out, then close normally. */
export function handleClose(session: Session): void {
  session.state = 'closing';
  session.broker.afterWrites(() => {
    session.send({ type: 'close' });
    session.closeWith(1000, 'closed by client');
  });
}
