/**
 * A node cut off from the majority of its cluster (docs/cluster.md, "A node cut off from the
 * majority"): three real nodes whose cluster traffic runs through proxies (as the fault suite's,
 * apps/faults), so one node's links can be cut as a network that drops packets cuts them. The node closes
 * its clients with `node_isolated`, a failover client moves to another node and its confirmed
 * publishes to a replicated queue carry on; the node refuses new clients and is not ready until
 * the network heals, then takes clients again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, isWarrenError, type Client, type Message } from '@warren/client';
import { CutNetwork } from '../support/cut-network.js';
import { api, freePort, TestCluster, type NodeProcess } from './cluster-processes.js';

const ids = ['a', 'b', 'c'];
const wait = { timeout: 20_000, interval: 50 };
let network: CutNetwork | undefined;
let cluster: TestCluster | undefined;

const readyz = async (node: NodeProcess) => {
  const response = await fetch(`${node.httpUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { checks: { name: string; ok: boolean }[] } };
};

beforeAll(async () => {
  const ports = new Map<string, number>();
  for (const id of ids) ports.set(id, await freePort());
  network = await CutNetwork.build(ports);
  const env = Object.fromEntries(ids.map((id) => [id, { WARREN_PEERS: network!.peersOf(id) }]));
  cluster = await TestCluster.start({ ids, secret: 'test-cluster-secret-isolated-node', clusterPorts: ports, env });
  await vi.waitFor(async () => {
    for (const node of cluster!.nodes.values()) expect((await readyz(node)).status).toBe(200);
  }, wait);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await network?.close();
});

describe('a node cut off from the cluster majority', () => {
  it('sends its failover clients elsewhere, refuses new ones and is not ready until the network heals', { timeout: 45_000 }, async () => {
    const [a, b, c] = ids.map((id) => cluster!.node(id)) as [NodeProcess, NodeProcess, NodeProcess];
    expect((await api(a, 'PUT', '/api/queues/%2F/iso.q', { durable: true, arguments: { 'x-queue-type': 'replicated' } })).status).toBeLessThan(300);
    const client: Client = await connect([c.url, a.url, b.url], { name: 'iso-failover', reconnect: { minDelay: 50, maxDelay: 500, maxAttempts: Infinity } });
    const lost: string[] = [];
    client.on('disconnected', (event) => lost.push(`${event.url} ${event.error.code}`));
    const moved = new Promise<string>((resolve) => client.on('reconnected', (event) => resolve(event.url)));

    // Publishes with confirms, one after the other, all through the test.
    const confirmed: string[] = [];
    const failures: unknown[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing; n++) {
        const id = `m${n}`;
        try {
          await client.publish('', 'iso.q', id, { messageId: id, persistent: true });
          confirmed.push(id);
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    await vi.waitFor(() => expect(confirmed.length).toBeGreaterThanOrEqual(20), wait);

    network!.cutOff('c');
    const url = await moved;
    expect([a.url, b.url]).toContain(url);
    expect(lost).toEqual([`${c.url} node_isolated`]);
    // The log line travels on the node's stdout, which may arrive after the close on the socket.
    await vi.waitFor(() => expect(c.logs.some((line) => line.event === 'node_isolated')).toBe(true), wait);
    const atMove = confirmed.length;
    await vi.waitFor(() => expect(confirmed.length).toBeGreaterThanOrEqual(atMove + 50), wait);

    const cutOff = await readyz(c);
    expect(cutOff.status).toBe(503);
    expect(cutOff.body.checks.find((check) => check.name === 'isolation')?.ok).toBe(false);
    expect(await (await fetch(`${c.httpUrl}/metrics`)).text()).toMatch(/^warren_cluster_node_isolated 1$/m);
    const refused = await connect(c.url).then(
      async (other) => {
        await other.close();
        return 'connected';
      },
      (error: unknown) => (isWarrenError(error) ? error.code : String(error)),
    );
    expect(refused).toBe('node_isolated');

    network!.heal();
    await vi.waitFor(async () => expect((await readyz(c)).status).toBe(200), wait);
    await vi.waitFor(() => expect(c.logs.some((line) => line.event === 'node_rejoined')).toBe(true), wait);
    expect(await (await fetch(`${c.httpUrl}/metrics`)).text()).toMatch(/^warren_cluster_node_isolated 0$/m);
    const back = await connect(c.url);
    await back.publish('', 'iso.q', 'via-c', { messageId: 'via-c', persistent: true });
    await back.close();

    publishing = false;
    await publisher;
    expect(failures).toEqual([]);
    // Every confirmed publish is in the queue (at-least-once: a republished one may come twice).
    const got = new Set<string>();
    await client.consume('iso.q', (m: Message) => {
      got.add(m.properties.messageId ?? '');
      m.ack();
    });
    await vi.waitFor(() => expect([...confirmed, 'via-c'].filter((id) => !got.has(id))).toEqual([]), wait);
    await client.close();
  });
});
