/**
 * Which node leads a quorum queue, from `rabbitmqctl list_queues name leader members
 * --formatter json`: a JSON array of one object per queue. Undefined while the queue is not
 * listed or has no leader yet.
 */

export function leaderNodeOf(listQueuesJson: string, queue: string): string | undefined {
  let rows: unknown;
  try {
    rows = JSON.parse(listQueuesJson);
  } catch {
    return undefined;
  }
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const { name, leader } = row as { name?: unknown; leader?: unknown };
    if (name === queue && typeof leader === 'string' && leader !== '') return leader;
  }
  return undefined;
}
