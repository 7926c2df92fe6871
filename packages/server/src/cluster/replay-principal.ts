/**
 * Who a replayed metadata change runs as: the node it arrived on already authenticated and
 * authorised it, so every node carries it out alike, whatever its own view of that user.
 */
import type { Principal } from '../auth/principal.js';

export class ReplayPrincipal implements Principal {
  readonly mechanism = 'password' as const;

  constructor(readonly user: string) {}

  hasTag(): boolean {
    return true;
  }

  tags(): string[] {
    return ['administrator'];
  }

  hasVHost(): boolean {
    return true;
  }

  may(): boolean {
    return true;
  }

  mayAny(): boolean {
    return true;
  }

  mayTopic(): boolean {
    return true;
  }
}
