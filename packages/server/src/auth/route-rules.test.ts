import { describe, expect, it } from 'vitest';
import { ROUTE_RULES, ruleFor } from './route-rules.js';

describe('ruleFor', () => {
  it('answers the table rule of a route, HEAD as GET', () => {
    expect(ruleFor('GET', '/api/nodes')).toBe(ROUTE_RULES['GET /api/nodes']);
    expect(ruleFor('HEAD', '/api/nodes')).toBe(ROUTE_RULES['GET /api/nodes']);
  });

  it('refuses an /api route the table lacks, so it cannot be registered by accident', () => {
    expect(() => ruleFor('GET', '/api/not-in-the-table')).toThrow(/GET \/api\/not-in-the-table has no access rule/);
    expect(() => ruleFor('DELETE', '/api/nodes')).toThrow(/has no access rule/);
  });

  it('leaves the UI, health and metrics open', () => {
    expect(ruleFor('GET', '/healthz')).toEqual({ public: true });
    expect(ruleFor('GET', '/queues/*')).toEqual({ public: true });
  });
});
