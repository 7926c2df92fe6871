/**
 * The bench's own epmd, on the port the node directories name (ERL_EPMD_PORT), in a process
 * group of its own: the epmd a node starts by itself daemonizes out of reach and would outlive
 * the run. The nodes of a cluster share one, as they would share the host's.
 */
import { ProcessGroup } from '../process-group.js';
import type { SharedEpmd } from './rabbit-node-dir.js';

export function startEpmd(shared: SharedEpmd): Promise<ProcessGroup> {
  return ProcessGroup.spawn('epmd', ['-port', String(shared.epmdPort), '-address', '127.0.0.1'], {
    env: { ...process.env, ERL_EPMD_PORT: String(shared.epmdPort), ERL_EPMD_ADDRESS: '127.0.0.1' },
    stdio: 'ignore',
  });
}
