/** Publishes a test message through an exchange (the default one for a queue's own page). */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { publish } from '../api/exchanges.js';
import { ErrorNote } from './ErrorNote.js';

export function PublishForm({ vhost, exchange, routingKey = '' }: { vhost: string; exchange: string; routingKey?: string }) {
  const id = useId();
  const [key, setKey] = useState(routingKey);
  const [payload, setPayload] = useState('');
  const [headers, setHeaders] = useState('{}');
  const [persistent, setPersistent] = useState(true);
  const send = useMutation({
    mutationFn: () => {
      const parsed: unknown = JSON.parse(headers === '' ? '{}' : headers);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('headers: a JSON object, like {"tenant": "eu"}');
      return publish(vhost, exchange === '' ? 'amq.default' : exchange, {
        routing_key: key,
        payload,
        payload_encoding: 'string',
        properties: { headers: parsed as Record<string, unknown>, delivery_mode: persistent ? 2 : 1 },
      });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Publish a message">
      <label htmlFor={`${id}-key`}>Routing key</label>
      <input id={`${id}-key`} value={key} onChange={(e) => setKey(e.target.value)} />
      <label htmlFor={`${id}-headers`}>Headers (JSON)</label>
      <input id={`${id}-headers`} value={headers} onChange={(e) => setHeaders(e.target.value)} />
      <label htmlFor={`${id}-payload`}>Payload</label>
      <textarea id={`${id}-payload`} rows={4} value={payload} onChange={(e) => setPayload(e.target.value)} />
      <label className="inline">
        <input type="checkbox" checked={persistent} onChange={(e) => setPersistent(e.target.checked)} /> Persistent
      </label>
      <button type="submit" disabled={send.isPending}>
        Publish
      </button>
      {send.isSuccess && (
        <p role="status">{send.data?.routed === false ? 'Published, but no queue took it (unroutable).' : 'Published.'}</p>
      )}
      <ErrorNote error={send.error} />
    </form>
  );
}
