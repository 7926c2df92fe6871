/** What every route file of the management API is given: the broker, the open connections, this node's name. */
import type { Broker, Logger } from '@warren/core';
import type { WebSocketListener } from '../ws/listener.js';
import type { ClusterNode } from '@warren/cluster';

export interface ApiContext {
  broker: Broker;
  listener: WebSocketListener;
  nodeId: string;
  logger?: Logger;
  /** This node's place in a cluster, once it has joined one (cluster mode only). */
  cluster?: () => ClusterNode | undefined;
}
