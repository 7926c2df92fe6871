import { afterEach, describe, expect, it, vi } from 'vitest';
import { tokenExpiry, TokenRefresher } from './token-refresh.js';

const jwt = (payload: object) => `e30.${btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.sig`;

afterEach(() => {
  vi.useRealTimers();
});

describe('tokenExpiry', () => {
  it('reads exp from a JWT without verifying it, and nothing from anything else', () => {
    expect(tokenExpiry(jwt({ exp: 1_700_000_000, sub: 'é' }))).toBe(1_700_000_000_000);
    expect(tokenExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(tokenExpiry('opaque')).toBeUndefined();
    expect(tokenExpiry('a.%%%.c')).toBeUndefined();
  });
});

describe('TokenRefresher', () => {
  it('refreshes a minute before a long token expires, and halfway through a short one', async () => {
    vi.useFakeTimers();
    const now = Date.now();
    const sent: string[] = [];
    let lifetime = 600;
    const provider = () => jwt({ exp: Math.floor(Date.now() / 1000) + lifetime });
    const refresher = new TokenRefresher(provider, async (token) => void sent.push(token), () => {});
    refresher.schedule(jwt({ exp: Math.floor(now / 1000) + 600 }));
    await vi.advanceTimersByTimeAsync(539_000);
    expect(sent).toHaveLength(0);
    lifetime = 10;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_100);
    expect(sent).toHaveLength(2);
    refresher.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(2);
  });

  it('reports a provider that fails and keeps the old token', async () => {
    const errors: string[] = [];
    const refresher = new TokenRefresher(() => Promise.reject(new Error('idp down')), async () => {}, (error) => errors.push(error.code));
    await refresher.refresh();
    expect(errors).toEqual(['not_authorized']);
  });
});
