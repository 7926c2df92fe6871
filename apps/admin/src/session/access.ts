/**
 * What the logged-in user may see and do, from `/api/whoami` (its tags, and per vhost whether it
 * has any configure, write and read permission), after RabbitMQ's management tags
 * (docs/security.md, "The management API"). The UI only hides: the broker checks every request
 * against the permissions' patterns, so a button shown for a vhost may still be refused for one
 * name there.
 */
import type { WhoamiView } from '@warren/protocol/http';

export type Tag = 'management' | 'policymaker' | 'monitoring' | 'administrator';
export type Kind = 'configure' | 'write' | 'read';

const MANAGEMENT_TAGS = new Set(['administrator', 'monitoring', 'policymaker', 'management']);

/** The tag each page needs; a page not listed needs `management`. */
const PAGE_TAGS: Readonly<Record<string, Tag>> = {
  '/definitions': 'administrator',
  '/nodes': 'monitoring',
  '/audit': 'monitoring',
};

export class Access {
  constructor(readonly user: WhoamiView) {}

  /** RabbitMQ's hierarchy: administrator has every tag, and any of the four gives management. */
  hasTag(tag: Tag): boolean {
    const tags = this.user.tags;
    if (tags.includes(tag) || tags.includes('administrator')) return true;
    return tag === 'management' && tags.some((t) => MANAGEMENT_TAGS.has(t));
  }

  /** Whether the user can do something of this kind in the vhost (administrators manage every vhost over the API). */
  may(vhost: string, kind: Kind): boolean {
    if (this.hasTag('administrator')) return true;
    return this.user.permissions?.some((p) => p.vhost === vhost && p[kind]) ?? false;
  }

  /** Whether the user has permissions in the vhost at all (the vhost's scheduled messages). */
  inVhost(vhost: string): boolean {
    return this.hasTag('administrator') || (this.user.permissions?.some((p) => p.vhost === vhost) ?? false);
  }

  /** In some vhost (forms that name the vhost, lists across vhosts). */
  mayAnywhere(kind: Kind): boolean {
    return this.hasTag('administrator') || (this.user.permissions?.some((p) => p[kind]) ?? false);
  }

  /** Whether the page at this path (its first segment) is one the user may open. */
  seesPage(path: string): boolean {
    const first = `/${path.split('/')[1] ?? ''}`;
    return this.hasTag(PAGE_TAGS[first] ?? 'management');
  }
}
