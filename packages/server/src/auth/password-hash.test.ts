import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, rabbitHash, SCRYPT_ALGORITHM, verifyPassword } from './password-hash.js';

describe('scrypt password hashes', () => {
  it('verify the password they were made from and nothing else, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a.hashing_algorithm).toBe(SCRYPT_ALGORITHM);
    expect(a.password_hash).not.toBe(b.password_hash);
    expect(Buffer.from(a.password_hash, 'base64')).toHaveLength(48);
    expect(await verifyPassword(a, 'correct horse')).toBe(true);
    expect(await verifyPassword(a, 'correct horsE')).toBe(false);
    expect(await verifyPassword(a, '')).toBe(false);
  });
});

describe("RabbitMQ's salted hashes", () => {
  it.each([
    ['rabbit_password_hashing_sha256', 'sha256'],
    ['rabbit_password_hashing_sha512', 'sha512'],
    ['rabbit_password_hashing_md5', 'md5'],
  ] as const)('%s: base64(salt4 ++ H(salt4 ++ utf8 password)) verifies', async (algorithm, hash) => {
    const salt = Buffer.from([0x90, 0x8d, 0xc6, 0x0a]);
    const expected = Buffer.concat([salt, createHash(hash).update(Buffer.concat([salt, Buffer.from('pässword', 'utf8')])).digest()]).toString('base64');
    const stored = { password_hash: expected, hashing_algorithm: algorithm };
    expect(rabbitHash('pässword', algorithm, salt)).toEqual(stored);
    expect(await verifyPassword(stored, 'pässword')).toBe(true);
    expect(await verifyPassword(stored, 'password')).toBe(false);
  });

  it('refuses an empty, truncated or unknown hash', async () => {
    expect(await verifyPassword({ password_hash: '', hashing_algorithm: 'rabbit_password_hashing_sha256' }, '')).toBe(false);
    expect(await verifyPassword({ password_hash: 'AAAA', hashing_algorithm: SCRYPT_ALGORITHM }, 'x')).toBe(false);
    expect(await verifyPassword({ ...rabbitHash('x', 'rabbit_password_hashing_sha256'), hashing_algorithm: 'bcrypt' }, 'x')).toBe(false);
  });
});
