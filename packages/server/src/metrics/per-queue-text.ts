/**
 * The per-queue series of /metrics/per-object, written straight in the Prometheus text format
 * (0.0.4). prom-client's registry formats each sample through several object copies and
 * escapes; at 10,000 queues and six series each that was nearly all of a scrape's time, so the
 * one family whose size grows with the broker is written here, in one pass per series.
 */
import { QUEUE_GAUGES } from './node-families.js';
import type { QueueSnapshot } from './queue-snapshot.js';

/** Label value escapes of the text format: backslash, double quote, line feed. */
function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

export function perQueueText(prefix: string, snapshot: QueueSnapshot): string {
  const queues = snapshot.queues;
  const labels = queues.map((q) => `{vhost="${escapeLabel(q.vhost)}",queue="${escapeLabel(q.queue)}"}`);
  let text = '';
  for (const [name, help, figure] of QUEUE_GAUGES) {
    const full = `${prefix}_${name}`;
    let lines = `# HELP ${full} ${help}\n# TYPE ${full} gauge\n`;
    for (let i = 0; i < queues.length; i++) lines += `${full}${labels[i]} ${figure(queues[i]!)}\n`;
    text += `${lines}\n`;
  }
  return text;
}
