import { describe, expect, it } from 'vitest';
import { MessageIds } from './message-ids.js';

describe('MessageIds', () => {
  it('gives distinct 21-character URL-safe ids', () => {
    const ids = new MessageIds();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = ids.next();
      expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(10_000);
  });

  it('draws a different prefix per generator, so two processes do not collide', () => {
    expect(new MessageIds().next().slice(0, 12)).not.toBe(new MessageIds().next().slice(0, 12));
  });
});
