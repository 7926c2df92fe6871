import { describe, expect, it } from 'vitest';
import { TokenPrincipal } from './token-principal.js';

describe("a token's scopes (RabbitMQ's OAuth 2 plugin)", () => {
  const principal = new TokenPrincipal(
    'svc',
    ['rabbitmq.read:%2F/orders.*', 'rabbitmq.write:%2F/events/orders.*', 'rabbitmq.configure:staging/*', 'rabbitmq.tag:monitoring', 'other.write:*/*', 'openid'],
    'rabbitmq.',
    Date.now() + 60_000,
  );

  it('grant configure / write / read on matching vhost and name only', () => {
    expect(principal.may('/', 'read', 'orders.new')).toBe(true);
    expect(principal.may('/', 'read', 'payments')).toBe(false);
    expect(principal.may('/', 'write', 'events')).toBe(true);
    expect(principal.may('/', 'configure', 'orders.new')).toBe(false);
    expect(principal.may('staging', 'configure', 'anything')).toBe(true);
    expect(principal.may('staging', 'read', 'anything')).toBe(false);
  });

  it('restrict routing keys on topic exchanges by the third segment', () => {
    expect(principal.mayTopic('/', 'events', 'write', 'orders.created')).toBe(true);
    expect(principal.mayTopic('/', 'events', 'write', 'payments.created')).toBe(false);
  });

  it('give vhost access where any scope names the vhost, tags from tag scopes, and ignore other prefixes', () => {
    expect(principal.hasVHost('/')).toBe(true);
    expect(principal.hasVHost('staging')).toBe(true);
    expect(principal.hasVHost('prod')).toBe(false);
    expect(principal.tags()).toEqual(['monitoring']);
    expect(principal.hasTag('management')).toBe(true);
    expect(principal.hasTag('administrator')).toBe(false);
  });
});
