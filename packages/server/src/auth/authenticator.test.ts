import { describe, expect, it } from 'vitest';
import { MemoryStore } from '@warren/core/internal';
import { AccessRegistry } from './access-registry.js';
import { Authenticator, isLoopback } from './authenticator.js';
import { hashPassword } from './password-hash.js';

async function setup(): Promise<{ registry: AccessRegistry; auth: Authenticator }> {
  const store = new MemoryStore();
  await store.open();
  const registry = new AccessRegistry(store);
  registry.putUser({ name: 'guest', ...(await hashPassword('guest')), tags: ['administrator'], limits: {} });
  registry.putUser({ name: 'ann', ...(await hashPassword('s3cret')), tags: [], limits: {} });
  return { registry, auth: new Authenticator(registry, undefined) };
}

describe('Authenticator', () => {
  it('lets guest in from loopback only, with or without credentials', async () => {
    const { auth } = await setup();
    expect((await auth.authenticate({ kind: 'none' }, '127.0.0.1')).user).toBe('guest');
    expect((await auth.authenticate({ kind: 'password', username: 'guest', password: 'guest' }, '::ffff:127.0.0.1')).user).toBe('guest');
    await expect(auth.authenticate({ kind: 'none' }, '10.1.2.3')).rejects.toMatchObject({ code: 'not_authorized', message: "user 'guest' can only connect via localhost" });
    await expect(auth.authenticate({ kind: 'password', username: 'guest', password: 'guest' }, '192.168.0.9')).rejects.toMatchObject({ code: 'not_authorized' });
  });

  it('answers an unknown user and a wrong password alike', async () => {
    const { auth } = await setup();
    const unknown = await auth.authenticate({ kind: 'password', username: 'nobody', password: 'x' }, '10.0.0.1').catch((e: Error) => e);
    const wrong = await auth.authenticate({ kind: 'password', username: 'ann', password: 'x' }, '10.0.0.2').catch((e: Error) => e);
    expect(unknown).toMatchObject({ code: 'not_authorized' });
    expect((unknown as Error).message).toBe((wrong as Error).message);
    expect((await auth.authenticate({ kind: 'password', username: 'ann', password: 's3cret' }, '10.0.0.3')).user).toBe('ann');
  });

  it('forgets a remembered password when it changes', async () => {
    const { registry, auth } = await setup();
    await auth.authenticate({ kind: 'password', username: 'ann', password: 's3cret' }, '10.0.0.1');
    registry.putUser({ name: 'ann', ...(await hashPassword('new')), tags: [], limits: {} });
    await expect(auth.authenticate({ kind: 'password', username: 'ann', password: 's3cret' }, '10.0.0.1')).rejects.toMatchObject({ code: 'not_authorized' });
    expect((await auth.authenticate({ kind: 'password', username: 'ann', password: 'new' }, '10.0.0.1')).user).toBe('ann');
  });

  it('refuses tokens when no oauth is configured', async () => {
    const { auth } = await setup();
    await expect(auth.authenticate({ kind: 'token', token: 'a.b.c' }, '127.0.0.1')).rejects.toMatchObject({ code: 'not_authorized' });
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', undefined].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
