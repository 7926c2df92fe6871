/** The routing dry run: which queues a routing key (and headers) would reach, and by which path. */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { routeDryRun } from '../../api/exchanges.js';
import { ErrorNote } from '../../components/ErrorNote.js';

export function RouteDryRun({ vhost, exchange }: { vhost: string; exchange: string }) {
  const id = useId();
  const [key, setKey] = useState('');
  const [headers, setHeaders] = useState('');
  const route = useMutation({
    mutationFn: () => routeDryRun(vhost, exchange === 'amq.default' ? '' : exchange, key, headers === '' ? undefined : (JSON.parse(headers) as Record<string, unknown>)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    route.mutate();
  };
  const r = route.data;
  return (
    <>
      <form className="row" onSubmit={submit} aria-label="Routing dry run">
        <label htmlFor={`${id}-k`}>Routing key</label>
        <input id={`${id}-k`} value={key} onChange={(e) => setKey(e.target.value)} />
        <label htmlFor={`${id}-h`}>Headers (JSON, optional)</label>
        <input id={`${id}-h`} value={headers} onChange={(e) => setHeaders(e.target.value)} />
        <button type="submit">Route</button>
      </form>
      <ErrorNote error={route.error} />
      {r !== undefined && (
        <div role="status" data-testid="route-result">
          {r.routed ? `Reaches ${r.queues.length} queue${r.queues.length === 1 ? '' : 's'}:` : 'Unroutable: no queue would get it.'}
          <ul>
            {r.queues.map((q) => (
              <li key={q.name}>
                {q.name}{' '}
                <span className="sub">
                  via{' '}
                  {q.path
                    .map((s) => (s.alternate_exchange !== undefined ? `${s.exchange || '(default)'} → alternate ${s.alternate_exchange}` : `${s.exchange || '(default)'} [${s.binding_key ?? ''}]`))
                    .join(' → ')}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
