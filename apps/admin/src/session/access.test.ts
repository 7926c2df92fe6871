import { describe, expect, it } from 'vitest';
import { Access } from './access.js';

const user = (tags: string[], permissions = [{ vhost: '/', configure: false, write: true, read: true }]) => new Access({ name: 'u', tags, mechanism: 'password', permissions });

describe('Access', () => {
  it("follows RabbitMQ's tag hierarchy", () => {
    expect(user(['monitoring']).hasTag('management')).toBe(true);
    expect(user(['monitoring']).hasTag('policymaker')).toBe(false);
    expect(user(['administrator']).hasTag('monitoring')).toBe(true);
    expect(user([]).hasTag('management')).toBe(false);
  });

  it('answers per vhost and kind from whoami; administrators may everything', () => {
    expect(user(['management']).may('/', 'write')).toBe(true);
    expect(user(['management']).may('/', 'configure')).toBe(false);
    expect(user(['management']).may('other', 'read')).toBe(false);
    expect(user(['management']).mayAnywhere('configure')).toBe(false);
    expect(user(['administrator'], []).may('other', 'configure')).toBe(true);
  });

  it('shows pages by tag', () => {
    expect(user(['management']).seesPage('/queues/%2F/q')).toBe(true);
    expect(user(['management']).seesPage('/nodes')).toBe(false);
    expect(user(['monitoring']).seesPage('/audit')).toBe(true);
    expect(user(['monitoring']).seesPage('/definitions')).toBe(false);
  });
});
