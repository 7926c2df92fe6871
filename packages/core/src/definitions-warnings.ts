/**
 * What a definitions import leaves out, as warnings (docs/definitions.md, "What a RabbitMQ export
 * loses"): sections Warren does not import, top-level and per-entry keys it does not know. Unknown
 * entry keys come first, one warning per key and section (not per entry); then the rest in the
 * order found. Never errors: a RabbitMQ export imports as it is.
 */
import type { Definitions } from '@warren/protocol';

/** Sections Warren reads, sections it knows and leaves out (with why), and informational keys. */
const IMPORTED = new Set(['vhosts', 'policies', 'queues', 'exchanges', 'bindings']);
const LEFT_OUT: Record<string, string> = {
  users: 'users are configured on the broker, not imported',
  permissions: 'permissions are not imported',
  topic_permissions: 'topic permissions are not imported',
  parameters: 'runtime parameters (shovels, federation, limits) are not supported',
  global_parameters: 'global parameters are not supported',
};
const INFORMATIONAL = new Set(['rabbit_version', 'rabbitmq_version', 'product_name', 'product_version']);
const ENTRY_KEYS: Record<string, ReadonlySet<string>> = {
  vhosts: new Set(['name']),
  policies: new Set(['vhost', 'name', 'pattern', 'apply-to', 'priority', 'definition']),
  queues: new Set(['name', 'vhost', 'durable', 'auto_delete', 'arguments', 'type']),
  exchanges: new Set(['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal', 'arguments']),
  bindings: new Set(['source', 'vhost', 'destination', 'destination_type', 'routing_key', 'arguments']),
};

export class DefinitionsWarnings {
  private readonly lines: string[] = [];
  private readonly unknownKeys = new Map<string, number>();

  add(line: string): void {
    this.lines.push(line);
  }

  checkSections(definitions: Definitions, importedElsewhere: readonly string[] = []): void {
    for (const [key, value] of Object.entries(definitions)) {
      if (INFORMATIONAL.has(key) || importedElsewhere.includes(key)) continue;
      const why = LEFT_OUT[key];
      if (why !== undefined) {
        const n = Array.isArray(value) ? value.length : 0;
        if (n > 0) this.add(`${key}: ${n} ${n === 1 ? 'entry' : 'entries'} not imported (${why})`);
      } else if (!IMPORTED.has(key)) {
        this.add(`top-level key '${key}' is not known to Warren and was ignored`);
      } else {
        const known = ENTRY_KEYS[key] as ReadonlySet<string>;
        for (const entry of value as Array<Record<string, unknown>>) {
          for (const k of Object.keys(entry)) if (!known.has(k)) this.unknownKey(key, k);
        }
      }
    }
  }

  list(): string[] {
    const keys = [...this.unknownKeys].map(([id, n]) => {
      const [section, key] = id.split('\u0000') as [string, string];
      return `${section}: key '${key}' is not known to Warren and was ignored (${n} ${n === 1 ? 'entry' : 'entries'})`;
    });
    return [...keys, ...this.lines];
  }

  private unknownKey(section: string, key: string): void {
    const id = `${section}\u0000${key}`;
    this.unknownKeys.set(id, (this.unknownKeys.get(id) ?? 0) + 1);
  }
}
