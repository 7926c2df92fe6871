import { describe, expect, it } from 'vitest';
import { newNonce, proofMatches, proofOf, type HandshakeFacts } from './peer-auth.js';

const facts = (): HandshakeFacts => ({ dialerId: 'a', acceptorId: 'b', dialerNonce: newNonce(), acceptorNonce: newNonce(), channel: Buffer.alloc(0) });

describe('peer proof', () => {
  it('matches only with the same secret, role, ids, nonces and channel', () => {
    const f = facts();
    const proof = proofOf('s3cret-s3cret-s3', 'dialer', f);
    expect(proofMatches('s3cret-s3cret-s3', 'dialer', f, proof)).toBe(true);
    expect(proofMatches('other-secret-xxxx', 'dialer', f, proof)).toBe(false);
    expect(proofMatches('s3cret-s3cret-s3', 'acceptor', f, proof)).toBe(false);
    expect(proofMatches('s3cret-s3cret-s3', 'dialer', { ...f, dialerId: 'c' }, proof)).toBe(false);
    expect(proofMatches('s3cret-s3cret-s3', 'dialer', { ...f, acceptorNonce: newNonce() }, proof)).toBe(false);
    expect(proofMatches('s3cret-s3cret-s3', 'dialer', { ...f, channel: Buffer.from('tls') }, proof)).toBe(false);
    expect(proofMatches('s3cret-s3cret-s3', 'dialer', f, proof.subarray(1))).toBe(false);
  });

  it('does not let ids run into each other', () => {
    const f = facts();
    const proof = proofOf('secret-secret-se', 'dialer', { ...f, dialerId: 'ab', acceptorId: 'c' });
    expect(proofMatches('secret-secret-se', 'dialer', { ...f, dialerId: 'a', acceptorId: 'bc' }, proof)).toBe(false);
  });
});
