/**
 * The cluster port in-process (issue 21, point 1): peers prove the shared secret without sending
 * it, a peer with the wrong secret or not in the peer list is refused and logged, every group's
 * messages to one peer share one connection, and TLS works with the client port's certificate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterTransport, type ClusterLogger, type ClusterTls, type Message } from '@warren/cluster';
import { certificateAuthority, signed } from '../support/certificates.js';
import { freePort } from './cluster-processes.js';

interface Logged {
  level: string;
  object: object;
  message: string;
}

function recorder(): ClusterLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (object: object, message: string) => void lines.push({ level, object, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

const open: ClusterTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function pair(secrets: [string, string], tls?: ClusterTls, ids: [string, string] = ['a', 'b']) {
  const ports = [await freePort(), await freePort()] as const;
  const peers = [
    { id: 'a', host: '127.0.0.1', port: ports[0] },
    { id: 'b', host: '127.0.0.1', port: ports[1] },
  ];
  const logs = [recorder(), recorder()] as const;
  const start = (i: 0 | 1) => ClusterTransport.listen({ id: ids[i], secret: secrets[i], host: '127.0.0.1', port: ports[i], peers, tls, logger: logs[i] });
  const transports = [await start(0), await start(1)] as const;
  open.push(...transports);
  return { transports, logs };
}

const heartbeat = (from: string, to: string, term: number): Message => ({ type: 'heartbeat', from, to, term, commit: 0 }) as unknown as Message;

describe('the cluster transport', () => {
  it('connects peers that share the secret and carries every group over the one connection', async () => {
    const { transports } = await pair(['same-secret-0123456789', 'same-secret-0123456789']);
    const [a, b] = transports;
    await vi.waitFor(() => expect(b.connectedPeers()).toEqual(['a']), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(a.connectedPeers()).toEqual(['b']), { timeout: 5_000, interval: 20 });
    const received: string[] = [];
    for (const group of ['meta', 'q1', 'q2']) b.group(group).onMessage = (m) => void received.push(`${group}:${m.term}`);
    const links = ['meta', 'q1', 'q2'].map((g) => a.group(g));
    links.forEach((link, i) => link.send([heartbeat('a', 'b', i + 1)]));
    await vi.waitFor(() => expect(received.sort()).toEqual(['meta:1', 'q1:2', 'q2:3']), { timeout: 5_000, interval: 20 });
    // The higher id sends back over the connection the lower id dialled.
    const back: number[] = [];
    a.group('meta').onMessage = (m) => void back.push(m.term);
    b.group('meta').send([heartbeat('b', 'a', 9)]);
    await vi.waitFor(() => expect(back).toEqual([9]), { timeout: 5_000, interval: 20 });
  });

  it('refuses a peer with the wrong secret, and logs it where it knocks', async () => {
    const { transports, logs } = await pair(['wrong-secret-0123456789', 'right-secret-0123456789']);
    await vi.waitFor(() => expect(logs[1].lines.some((l) => l.level === 'warn' && /does not know the cluster secret/.test(l.message) && (l.object as { peer: string }).peer === 'a')).toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
    expect(transports[0].connectedPeers()).toEqual([]);
    expect(transports[1].connectedPeers()).toEqual([]);
  });

  it('refuses to talk to a node that does not know the secret it dialled', async () => {
    const { transports, logs } = await pair(['right-secret-0123456789', 'wrong-secret-0123456789']);
    await vi.waitFor(() => expect(logs[1].lines.some((l) => l.level === 'warn' && /does not know the cluster secret/.test(l.message))).toBe(true), { timeout: 5_000, interval: 20 });
    expect(logs[0].lines.some((l) => /connected/.test(l.message))).toBe(false);
    expect(transports[0].connectedPeers()).toEqual([]);
  });

  it('refuses a node that is not in the peer list', async () => {
    const { transports, logs } = await pair(['same-secret-0123456789', 'same-secret-0123456789'], undefined, ['0', 'b']);
    await vi.waitFor(() => expect(logs[1].lines.some((l) => l.level === 'warn' && /not in this node's peer list/.test(l.message))).toBe(true), { timeout: 5_000, interval: 20 });
    expect(transports[1].connectedPeers()).toEqual([]);
  });

  it('runs over TLS with a certificate its CA signed', async () => {
    const ca = await certificateAuthority();
    const server = await signed(ca, 'node', 'server');
    const tls: ClusterTls = { cert: Buffer.from(server.cert), key: Buffer.from(server.key), ca: Buffer.from(ca.cert) };
    const { transports } = await pair(['same-secret-0123456789', 'same-secret-0123456789'], tls);
    const received: number[] = [];
    transports[1].group('meta').onMessage = (m) => void received.push(m.term);
    await vi.waitFor(() => expect(transports[0].connectedPeers()).toEqual(['b']), { timeout: 5_000, interval: 20 });
    transports[0].group('meta').send([heartbeat('a', 'b', 4)]);
    await vi.waitFor(() => expect(received).toEqual([4]), { timeout: 5_000, interval: 20 });
  });

  it('forwards a proposal to the peer that leads and answers its index', async () => {
    const { transports } = await pair(['same-secret-0123456789', 'same-secret-0123456789']);
    transports[1].onForward = async (group, command) => (group === 'meta' ? command.length * 10 : Promise.reject(new Error('no such group')));
    await vi.waitFor(() => expect(transports[0].connectedPeers()).toEqual(['b']), { timeout: 5_000, interval: 20 });
    await expect(transports[0].forward('b', 'meta', new Uint8Array(4))).resolves.toBe(40);
    await expect(transports[0].forward('b', 'other', new Uint8Array(1))).rejects.toThrow(/no such group/);
  });
});
