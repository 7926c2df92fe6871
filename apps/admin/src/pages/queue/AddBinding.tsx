/** Binds this queue to an exchange with a routing key. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { bindQueue } from '../../api/queues.js';
import { ErrorNote } from '../../components/ErrorNote.js';

export function AddBinding({ vhost, queue }: { vhost: string; queue: string }) {
  const id = useId();
  const [exchange, setExchange] = useState('');
  const [key, setKey] = useState('');
  const queryClient = useQueryClient();
  const bind = useMutation({
    mutationFn: () => bindQueue(vhost, exchange, queue, key),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['api'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    bind.mutate();
  };
  return (
    <form className="row" onSubmit={submit} aria-label="Add a binding">
      <label htmlFor={`${id}-x`}>From exchange</label>
      <input id={`${id}-x`} required value={exchange} onChange={(e) => setExchange(e.target.value)} />
      <label htmlFor={`${id}-k`}>Routing key</label>
      <input id={`${id}-k`} value={key} onChange={(e) => setKey(e.target.value)} />
      <button type="submit">Bind</button>
      <ErrorNote error={bind.error} />
    </form>
  );
}
