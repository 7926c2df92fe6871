/** What the audit log keeps of a definitions import: its options and how many objects the document held, the warnings and what a prune deleted. */
import type { DefinitionsImportResult } from '@warren/protocol';
import type { AuditRecord } from '@warren/core';

const KINDS = ['vhosts', 'exchanges', 'queues', 'bindings', 'policies'] as const;

export function definitionsAudit(document: unknown, options: { prune: boolean; force: boolean }, result: DefinitionsImportResult): Omit<AuditRecord, 'user'> {
  const counts: Record<string, number> = { warnings: result.warnings.length };
  for (const kind of KINDS) {
    const list = (document as Record<string, unknown> | undefined)?.[kind];
    if (Array.isArray(list)) counts[kind] = list.length;
  }
  if (result.deleted !== undefined) {
    for (const [kind, deleted] of Object.entries(result.deleted)) counts[`deleted_${kind}`] = (deleted as unknown[]).length;
  }
  return { action: 'definitions.import', object: { type: 'definitions', vhost: null, name: null }, parameters: { ...options }, counts };
}
