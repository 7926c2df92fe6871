/** Test certificates: a CA, and server and client certificates it signs, as PEM files in a temp dir (selfsigned; node:crypto cannot make X.509). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
}

const EC = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

export async function certificateAuthority(): Promise<Pem> {
  const ca = await generate([{ name: 'commonName', value: 'Warren Test CA' }], {
    ...EC,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

/** A certificate for 127.0.0.1 / localhost (server) or for a client named `commonName`, signed by `ca`. */
export async function signed(ca: Pem, commonName: string, use: 'server' | 'client'): Promise<Pem> {
  const pem = await generate([{ name: 'commonName', value: commonName }], {
    ...EC,
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: use === 'server', clientAuth: use === 'client' },
      ...(use === 'server' ? [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }, { type: 2 as const, value: 'localhost' }] }] : []),
    ],
  });
  return { cert: pem.cert, key: pem.private };
}

export async function writePem(dir: string, name: string, pem: Pem): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await writeFile(cert, pem.cert);
  await writeFile(key, pem.key);
  return { cert, key };
}
