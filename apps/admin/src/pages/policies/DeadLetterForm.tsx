/**
 * The guided dead-letter + retry policy: which queues, how many attempts with which delays,
 * where failures go, and optionally the dead-letter exchange and queue created with it. It
 * writes the same policy body the JSON editor would, checked by the same schema.
 */
import { useId, useState } from 'react';
import { declareExchange } from '../../api/exchanges.js';
import { bindQueue, declareQueue } from '../../api/queues.js';
import { policyProblems } from './check.js';
import type { Draft } from './Policies.js';
import { SaveWithDryRun } from './SaveWithDryRun.js';
import { useVhost } from '../../vhost/useVhost.js';

export function DeadLetterForm() {
  const id = useId();
  const [name, setName] = useState('');
  const [vhost, setVhost] = useState(useVhost());
  const [pattern, setPattern] = useState('');
  const [attempts, setAttempts] = useState('5');
  const [delays, setDelays] = useState('1000, 5000, 30000');
  const [dlx, setDlx] = useState('');
  const [dlq, setDlq] = useState('');
  const definition: Record<string, unknown> = { 'dead-letter-exchange': dlx, 'retry-max-attempts': Number(attempts) };
  const ladder = delays.split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (ladder.length > 0) definition['retry-delays'] = ladder.map(Number);
  const body = { pattern, 'apply-to': 'queues', priority: 0, definition };
  const problems = [...(name === '' ? ['name is required'] : []), ...(dlx === '' ? ['dead-letter exchange is required'] : []), ...policyProblems(body)];
  const draft: Draft | undefined =
    problems.length > 0
      ? undefined
      : {
          vhost,
          name,
          body: body as Draft['body'],
          setup:
            dlq === ''
              ? undefined
              : async () => {
                  await declareExchange(vhost, dlx, 'fanout');
                  await declareQueue(vhost, dlq, { durable: true, auto_delete: false, arguments: {} });
                  await bindQueue(vhost, dlx, dlq, '');
                },
        };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Dead-letter and retry policy</h2>
      <div className="stack">
        <label htmlFor={`${id}-name`}>Policy name</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${id}-vhost`}>Vhost</label>
        <input id={`${id}-vhost`} value={vhost} onChange={(e) => setVhost(e.target.value)} />
        <label htmlFor={`${id}-pattern`}>Queues matching (regular expression)</label>
        <input id={`${id}-pattern`} value={pattern} onChange={(e) => setPattern(e.target.value)} placeholder="^orders$" />
        <label htmlFor={`${id}-attempts`}>Attempts in all (the first included)</label>
        <input id={`${id}-attempts`} type="number" min={1} value={attempts} onChange={(e) => setAttempts(e.target.value)} />
        <label htmlFor={`${id}-delays`}>Delays between attempts, ms (comma-separated; the last repeats)</label>
        <input id={`${id}-delays`} value={delays} onChange={(e) => setDelays(e.target.value)} />
        <label htmlFor={`${id}-dlx`}>Dead-letter exchange</label>
        <input id={`${id}-dlx`} value={dlx} onChange={(e) => setDlx(e.target.value)} />
        <label htmlFor={`${id}-dlq`}>Also create this dead-letter queue, bound to that exchange (optional)</label>
        <input id={`${id}-dlq`} value={dlq} onChange={(e) => setDlq(e.target.value)} />
      </div>
      <ul className="problems" aria-live="polite">
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <SaveWithDryRun draft={draft} />
    </section>
  );
}
