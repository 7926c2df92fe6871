/**
 * Password hashes: Warren's own (scrypt, memory-hard) for passwords set here, and RabbitMQ's
 * salted SHA-256 / SHA-512 / MD5 for users imported from a RabbitMQ definitions export, so those
 * users log in with their old passwords. A hash is stored as RabbitMQ stores one: base64
 * `password_hash` plus `hashing_algorithm`, so an export imports back into RabbitMQ's format.
 *
 * scrypt parameters (docs/security.md, "Passwords"): N = 2^15, r = 8, p = 1 needs 128 * N * r =
 * 32 MiB of memory per hash and ~50-100 ms of one core, which makes a GPU or ASIC guess as costly
 * as the memory it needs (OWASP's minimum is N = 2^17 with r = 8 at 128 MiB, or 2^15 with less
 * parallel cost; we keep p = 1 and N = 2^15 so that a login stays well under the handshake
 * timeout on a busy 2-core machine). A 16-byte random salt; 32-byte key.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_ALGORITHM = 'warren_password_hashing_scrypt';
const RABBIT_ALGORITHMS = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
} as const;
export const HASHING_ALGORITHMS = [SCRYPT_ALGORITHM, ...Object.keys(RABBIT_ALGORITHMS)] as const;

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** RabbitMQ's salt is 4 bytes (rabbit_password:hash/2). */
const RABBIT_SALT_BYTES = 4;

export interface PasswordHash {
  password_hash: string;
  hashing_algorithm: string;
}

function scryptKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptKey(password, salt);
  return { password_hash: Buffer.concat([salt, key]).toString('base64'), hashing_algorithm: SCRYPT_ALGORITHM };
}

/** RabbitMQ's scheme: base64(salt4 ++ H(salt4 ++ utf8 password)). Used to import and by tests. */
export function rabbitHash(password: string, algorithm: keyof typeof RABBIT_ALGORITHMS, salt = randomBytes(RABBIT_SALT_BYTES)): PasswordHash {
  const digest = createHash(RABBIT_ALGORITHMS[algorithm]).update(salt).update(password, 'utf8').digest();
  return { password_hash: Buffer.concat([salt, digest]).toString('base64'), hashing_algorithm: algorithm };
}

/** True when `password` matches; false for a wrong password, an empty hash (a user without password) or a malformed one. */
export async function verifyPassword(stored: PasswordHash, password: string): Promise<boolean> {
  const bytes = Buffer.from(stored.password_hash, 'base64');
  if (stored.hashing_algorithm === SCRYPT_ALGORITHM) {
    if (bytes.length !== SALT_BYTES + KEY_BYTES) return false;
    const key = await scryptKey(password, bytes.subarray(0, SALT_BYTES));
    return timingSafeEqual(key, bytes.subarray(SALT_BYTES));
  }
  if (!Object.hasOwn(RABBIT_ALGORITHMS, stored.hashing_algorithm) || bytes.length <= RABBIT_SALT_BYTES) return false;
  const algorithm = stored.hashing_algorithm as keyof typeof RABBIT_ALGORITHMS;
  const expected = Buffer.from(rabbitHash(password, algorithm, bytes.subarray(0, RABBIT_SALT_BYTES)).password_hash, 'base64');
  return expected.length === bytes.length && timingSafeEqual(expected, bytes);
}
