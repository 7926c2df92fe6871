/**
 * What a list shows a user without the `monitoring` tag (docs/security.md, "The management
 * API"): objects in the vhosts it has permissions in, and its own connections and channels.
 * Lists filter before paging, so a page is full and its counts, `total_count` included, count
 * only what the user may see; the access hook's filter of the answer (auth/http-access.ts)
 * then finds nothing to remove.
 */
import type { FastifyRequest } from 'fastify';

/** The objects in vhosts the asker may see. */
export function inVisibleVhosts<T>(request: FastifyRequest, objects: T[], vhostOf: (object: T) => string): T[] {
  const principal = request.principal;
  if (principal === null || principal.hasTag('monitoring')) return objects;
  return objects.filter((o) => principal.hasVHost(vhostOf(o)));
}

/** The objects the asker owns. */
export function ownedByAsker<T>(request: FastifyRequest, objects: T[], userOf: (object: T) => string | undefined): T[] {
  const principal = request.principal;
  if (principal === null || principal.hasTag('monitoring')) return objects;
  return objects.filter((o) => userOf(o) === principal.user);
}
