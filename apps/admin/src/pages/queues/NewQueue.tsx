/** Declares a queue: name, vhost, durability, and its x-arguments as JSON. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { declareQueue } from '../../api/queues.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useVhost } from '../../vhost/useVhost.js';

export function NewQueue() {
  const [name, setName] = useState('');
  const [vhost, setVhost] = useState(useVhost());
  const [durable, setDurable] = useState(true);
  const [args, setArgs] = useState('{}');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => declareQueue(vhost, name, { durable, auto_delete: false, arguments: JSON.parse(args) as Record<string, unknown> }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['api'] });
      void navigate({ to: '/queues/$vhost/$name', params: { vhost, name } });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-queue">
      <h2 id="new-queue">Add a queue</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor="queue-name">Name</label>
        <input id="queue-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="queue-vhost">Vhost</label>
        <input id="queue-vhost" required value={vhost} onChange={(e) => setVhost(e.target.value)} />
        <label className="inline">
          <input type="checkbox" checked={durable} onChange={(e) => setDurable(e.target.checked)} /> Durable
        </label>
        <label htmlFor="queue-args">Arguments (JSON)</label>
        <input id="queue-args" value={args} onChange={(e) => setArgs(e.target.value)} />
        <button type="submit" disabled={create.isPending}>
          Add queue
        </button>
        <ErrorNote error={create.error} />
      </form>
    </section>
  );
}
