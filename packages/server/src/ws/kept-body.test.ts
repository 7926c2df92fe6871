import { describe, expect, it } from 'vitest';
import { keptBody } from './kept-body.js';

describe('keptBody', () => {
  it('copies a small body out of the message it came in', () => {
    const message = new Uint8Array(1000).fill(1);
    const body = message.subarray(100, 200);
    const kept = keptBody(body);
    expect(kept.length).toBe(100);
    message.fill(2);
    expect(kept.every((byte) => byte === 1)).toBe(true);
  });

  it('copies a large body that is a small part of its message', () => {
    const message = new Uint8Array(200 * 1024).fill(1);
    const kept = keptBody(message.subarray(0, 20 * 1024));
    message.fill(2);
    expect(kept.every((byte) => byte === 1)).toBe(true);
  });

  it('keeps a large body that is most of its message as it is', () => {
    const message = new Uint8Array(64 * 1024 + 100);
    const body = message.subarray(100);
    expect(keptBody(body)).toBe(body);
  });
});
