/**
 * Which queues hold dead letters, and dead-lettered messages grouped by why they died: reason,
 * the queue they died in (the newest `x-death` entry) and the error of their last attempt
 * (`x-warren-attempts`, docs/retry.md).
 */
import type { BindingView } from '@warren/protocol';
import type { BrowsedMessage } from '../../api/messages.js';
import type { QueueRow } from '../../api/queues.js';

/** Queues that some queue dead-letters into: bound to a dead-letter exchange, or named by a default-exchange DLX key. */
export function deadLetterQueues(queues: QueueRow[], bindings: BindingView[]): string[] {
  const found = new Set<string>();
  for (const q of queues) {
    const settings = q.effective_settings as Record<string, unknown>;
    const dlx = settings['dead-letter-exchange'];
    if (typeof dlx !== 'string') continue;
    const dlKey = settings['dead-letter-routing-key'];
    if (dlx === '') {
      if (typeof dlKey === 'string') found.add(dlKey);
      continue;
    }
    for (const b of bindings) if (b.source === dlx && b.destination_type === 'queue') found.add(b.destination);
  }
  return [...found].sort();
}

export interface FailureGroup {
  key: string;
  queue: string;
  reason: string;
  sourceQueue: string;
  error: string | null;
  messages: BrowsedMessage[];
}

interface Death {
  reason?: unknown;
  queue?: unknown;
}

interface Attempt {
  error?: unknown;
}

export function groupFailures(queue: string, messages: BrowsedMessage[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const m of messages) {
    const headers = m.properties.headers ?? {};
    const deaths = Array.isArray(headers['x-death']) ? (headers['x-death'] as Death[]) : [];
    const attempts = Array.isArray(headers['x-warren-attempts']) ? (headers['x-warren-attempts'] as Attempt[]) : [];
    const newest = deaths[0];
    const reason = typeof newest?.reason === 'string' ? newest.reason : 'unknown';
    const sourceQueue = typeof newest?.queue === 'string' ? newest.queue : 'unknown';
    const last = attempts.at(-1)?.error;
    const error = typeof last === 'string' ? last : null;
    const key = JSON.stringify([queue, reason, sourceQueue, error]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, queue, reason, sourceQueue, error, messages: [] };
      groups.set(key, group);
    }
    group.messages.push(m);
  }
  return [...groups.values()].sort((a, b) => b.messages.length - a.messages.length);
}
