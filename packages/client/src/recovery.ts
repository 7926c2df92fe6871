/**
 * One reconnect attempt (docs/client-failover.md): open a connection, declare the client's
 * topology again (exchanges, then queues, then bindings, each group pipelined), resume its
 * consumers. A server-named
 * queue comes back under a new name, returned as old → new. A declaration the new broker refuses
 * (a conflict, a missing permission) is reported and the rest goes on; a lost connection rejects,
 * so the next attempt starts over. Resuming consumers is consumers.ts's part.
 */
import { WarrenError, type OkFrame } from '@warren/protocol/wire';
import type { Consumers } from './consumers.js';
import type { Link } from './link.js';
import type { RequestBody } from './requests.js';
import type { Replay, Topology } from './topology.js';

/** Connects to urls[index] and recovers there; resolves with the renamed queues, rejects when the connection is lost meanwhile. */
export async function recover(index: number, link: Link, topology: Topology, consumers: Consumers, report: (error: WarrenError) => void): Promise<Record<string, string>> {
  link.phase = 'recovering';
  try {
    await link.open(index);
    const connection = link.current;
    const recovery: RecoveryLink = { send: (frame) => link.send(frame), connected: () => link.isCurrent(connection), report };
    const renamed = await declareAgain(topology, recovery);
    for (const error of await consumers.resume(recovery.send, renamed, recovery.connected)) report(error);
    if (!recovery.connected()) throw new WarrenError('connection_lost', 'the connection closed while declaring the topology again');
    return renamed;
  } catch (error) {
    link.attemptFailed();
    throw error;
  }
}

export interface RecoveryLink {
  send(frame: RequestBody): Promise<OkFrame>;
  /** False once the connection this recovery runs on is gone. */
  connected(): boolean;
  report(error: WarrenError): void;
}

export async function declareAgain(topology: Topology, link: RecoveryLink): Promise<Record<string, string>> {
  const renamed: Record<string, string> = {};
  const steps = topology.replay();
  const run = async (step: Replay): Promise<void> => {
    try {
      if (step.kind === 'queue') {
        const { record } = step;
        const reply = await link.send(record.serverNamed ? { ...record.declaration, queue: '' } : record.declaration);
        if (record.serverNamed && reply.queue !== step.name) renamed[step.name] = String(reply.queue);
      } else await link.send(step.frame);
    } catch (error) {
      if (!link.connected()) throw error;
      link.report(error as WarrenError);
    }
  };
  for (const kind of ['exchange', 'queue'] as const) await Promise.all(steps.filter((step) => step.kind === kind).map(run));
  for (const [from, to] of Object.entries(renamed)) topology.rename(from, to);
  // Bindings read the topology after the renames, so they name the new queues.
  await Promise.all(topology.replay().filter((step) => step.kind === 'binding').map(run));
  return renamed;
}
