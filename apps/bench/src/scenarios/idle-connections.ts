/**
 * 1,000 idle connections opened from one worker process (RabbitMQ: one channel each): the
 * broker's resident memory after minus before, per connection. --quick opens 50.
 */
import type { ConnectionsScenario } from '../scenario.js';

export const idleConnections: ConnectionsScenario = {
  kind: 'connections',
  name: 'idle-connections',
  summary: '1,000 idle connections from one process (RabbitMQ: one channel each): broker RSS growth per connection',
  connections: { full: 1_000, quick: 50 },
  ratioOf: 'KB/connection',
};
