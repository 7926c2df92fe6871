/** What every route file of the management API is given: the broker, the open connections, this node's name. */
import type { Broker, Logger } from '@warren/core';
import type { WebSocketListener } from '../ws/listener.js';

export interface ApiContext {
  broker: Broker;
  listener: WebSocketListener;
  nodeId: string;
  logger?: Logger;
}
