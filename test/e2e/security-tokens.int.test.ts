/**
 * JWT access tokens (issue 23, point 3): verified with jose against configured keys or a JWKS
 * file, issuer / audience / expiry checked, scopes as RabbitMQ's OAuth 2 plugin, given in hello
 * or as `Authorization: Bearer`; a connection whose token expires closes with token_expired
 * unless auth.refresh replaced it; the client's token provider refreshes by itself.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { connect } from '@warren/client';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { callAs, helloAs } from '../support/security.js';

const ISSUER = 'https://idp.example.test';
let broker: TestBroker;
let privateKey: CryptoKey;
let jwk: JWK;

const SCOPES = 'rabbitmq.configure:%2F/tok.* rabbitmq.write:%2F/tok.* rabbitmq.write:%2F/amq.default rabbitmq.read:%2F/tok.*';

async function token(options: { sub?: string; scope?: string; lifetime?: number; issuer?: string; audience?: string; key?: CryptoKey } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: options.scope ?? SCOPES })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject(options.sub ?? 'svc-orders')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? 'rabbitmq')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetime ?? 600))
    .sign(options.key ?? privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  broker = await startBroker({ oauth: { resourceServerId: 'rabbitmq', issuer: ISSUER, keys: [jwk as Record<string, unknown>], clockTolerance: 0 } } as never);
});
afterAll(async () => {
  await broker?.dispose();
});

describe('a token in hello', () => {
  it('opens a connection whose rights are its scopes', async () => {
    const client = await connect(broker.url, { token: await token() });
    await client.declareQueue('tok.q');
    await client.publish('', 'tok.q', 'hi');
    await expect(client.declareQueue('other.q')).rejects.toMatchObject({ code: 'access_refused' });
    await client.close();
  });

  it.each([
    ['from another issuer', { issuer: 'https://evil.test' }],
    ['for another audience', { audience: 'someone-else' }],
    ['expired', { lifetime: -10 }],
  ])('is refused when %s (not_authorized, 4013)', async (_, options) => {
    const { raw, welcomed } = await helloAs(broker.url, { token: await token(options) });
    expect(welcomed).toBe(false);
    expect(raw.frames[0]?.header).toMatchObject({ code: 'not_authorized' });
    expect((await raw.closed).code).toBe(4013);
  });

  it('is refused when signed by another key, or when it names no vhost the connection asks for', async () => {
    const other = await generateKeyPair('ES256');
    expect((await helloAs(broker.url, { token: await token({ key: other.privateKey }) })).welcomed).toBe(false);
    const { raw, welcomed } = await helloAs(broker.url, { token: await token({ scope: 'rabbitmq.read:staging/*' }) });
    expect(welcomed).toBe(false);
    expect(raw.frames[0]?.header).toMatchObject({ code: 'vhost_access_refused' });
  });
});

describe('a token as Authorization: Bearer', () => {
  it('authenticates HTTP requests with the tags of its scopes', async () => {
    const admin = `Bearer ${await token({ sub: 'ops', scope: 'rabbitmq.tag:administrator rabbitmq.read:*/*' })}`;
    const whoami = await callAs(broker.httpUrl, admin, 'GET', '/api/whoami');
    expect(whoami.body).toMatchObject({ name: 'ops', tags: ['administrator'], mechanism: 'token' });
    expect(Date.parse(whoami.body.expires_at)).toBeGreaterThan(Date.now());
    expect((await callAs(broker.httpUrl, admin, 'GET', '/api/users')).status).toBe(200);
    const plain = `Bearer ${await token()}`;
    expect((await callAs(broker.httpUrl, plain, 'GET', '/api/users')).body.error).toBe('access_refused');
    expect((await callAs(broker.httpUrl, `Bearer ${await token({ lifetime: -5 })}`, 'GET', '/api/whoami')).status).toBe(401);
  });
});

describe('expiry mid-connection', () => {
  it('closes a connection with token_expired (4012) unless auth.refresh replaced the token in time', async () => {
    const lifetime = 3;
    const short = await token({ lifetime });
    const left = await connect(broker.url, { token: short });
    const refreshed = await connect(broker.url, { token: short });
    await refreshed.refreshToken(await token({ lifetime: 600 }));
    // A token for another user is refused and changes nothing.
    await expect(refreshed.refreshToken(await token({ sub: 'intruder' }))).rejects.toMatchObject({ code: 'access_refused' });
    expect(await left.closed).toMatchObject({ code: 'token_expired' });
    // Same first token, same expiry: the refreshed connection is still open and still works.
    await refreshed.declareQueue('tok.after');
    await refreshed.close();
  });

  it('is never reached by a client with a token provider: it refreshes before expiry by itself', async () => {
    let calls = 0;
    const provider = async () => {
      calls++;
      return token({ lifetime: 3 });
    };
    const client = await connect(broker.url, { token: provider });
    const marker = await connect(broker.url, { token: await token({ lifetime: 3 }) });
    expect(await marker.closed).toMatchObject({ code: 'token_expired' });
    await client.declareQueue('tok.provided');
    expect(calls).toBeGreaterThanOrEqual(2);
    await client.close();
  });
});

describe('a JWKS file', () => {
  it('holds the keys when oauth names it instead of inline keys (WARREN_OAUTH_JWKS_FILE)', async () => {
    const dir = await tempDir();
    const file = join(dir.path, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [jwk] }));
    const other = await startBroker({ oauth: { resourceServerId: 'rabbitmq', issuer: ISSUER, jwksFile: file } } as never);
    try {
      const client = await connect(other.url, { token: await token() });
      await client.close();
    } finally {
      await other.dispose();
      await dir.remove();
    }
  });
});
