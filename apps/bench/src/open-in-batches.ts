/**
 * Opens many connections from one process a few at a time, so neither broker sees more
 * simultaneous handshakes than its listen backlog holds (RabbitMQ's default is 128).
 */

const AT_ONCE = 50;

/** Calls open(0) … open(count - 1), at most AT_ONCE of them pending at a time; rejects on the first failure. */
export async function openInBatches(count: number, open: (index: number) => Promise<void>): Promise<void> {
  for (let first = 0; first < count; first += AT_ONCE) {
    const batch = Array.from({ length: Math.min(AT_ONCE, count - first) }, (_, i) => open(first + i));
    await Promise.all(batch);
  }
}
