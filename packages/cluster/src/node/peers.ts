/** A cluster member's address (`id@host:port` in WARREN_PEERS), and the logger the cluster writes to. */
export interface PeerSpec {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** pino's shape, as much of it as the cluster uses. */
export interface ClusterLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Parses `id@host:port` (an IPv6 host in brackets); throws a message naming what is wrong. */
export function parsePeer(text: string): PeerSpec {
  const at = text.lastIndexOf('@');
  if (at <= 0) throw new Error(`peer '${text}' must be id@host:port`);
  const id = text.slice(0, at);
  const address = text.slice(at + 1);
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw new Error(`peer '${text}' must be id@host:port`);
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(address.slice(colon + 1));
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`peer '${text}' must be id@host:port with a port from 1 to 65535`);
  return { id, host, port };
}

export function parsePeers(list: string): PeerSpec[] {
  const peers = list.split(',').map((p) => p.trim()).filter((p) => p !== '').map(parsePeer);
  const ids = new Set<string>();
  for (const peer of peers) {
    if (ids.has(peer.id)) throw new Error(`peer '${peer.id}' is listed twice`);
    ids.add(peer.id);
  }
  return peers;
}
