/**
 * How two nodes prove they belong to the same cluster without sending the secret (Erlang's
 * cookie, done as a challenge): each side sends a fresh random nonce, and each answers with an
 * HMAC-SHA256 over both nonces, both ids, its role and, under TLS, keying material exported from
 * the TLS session. The role stops a node's proof from being reflected back at it; the exported
 * material stops a man in the middle from relaying a handshake onto a second TLS session.
 * Proofs are compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type PeerRole = 'dialer' | 'acceptor';

export interface HandshakeFacts {
  readonly dialerId: string;
  readonly acceptorId: string;
  readonly dialerNonce: Buffer;
  readonly acceptorNonce: Buffer;
  /** Exported TLS keying material, or empty on plain TCP. */
  readonly channel: Buffer;
}

export const newNonce = (): Buffer => randomBytes(32);

export function proofOf(secret: string, role: PeerRole, facts: HandshakeFacts): Buffer {
  const hmac = createHmac('sha256', secret);
  for (const part of [role, facts.dialerId, facts.acceptorId]) {
    const bytes = Buffer.from(part, 'utf8');
    hmac.update(lengthOf(bytes.length)).update(bytes);
  }
  for (const bytes of [facts.dialerNonce, facts.acceptorNonce, facts.channel]) hmac.update(lengthOf(bytes.length)).update(bytes);
  return hmac.digest();
}

export function proofMatches(secret: string, role: PeerRole, facts: HandshakeFacts, proof: Buffer): boolean {
  const expected = proofOf(secret, role, facts);
  return proof.length === expected.length && timingSafeEqual(proof, expected);
}

function lengthOf(n: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(n, 0);
  return out;
}
