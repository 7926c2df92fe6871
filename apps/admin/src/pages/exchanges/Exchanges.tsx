/** The chosen vhost's exchanges, sortable and searchable, and declaring a new one. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { declareExchange, type ExchangeRow } from '../../api/exchanges.js';
import { enc } from '../../api/http.js';
import { DataTable } from '../../components/DataTable.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost } from '../../vhost/useVhost.js';

const columns: ColumnDef<ExchangeRow, any>[] = [
  {
    id: 'name',
    header: 'Name',
    accessorKey: 'name',
    cell: ({ row }) => (
      <Link to="/exchanges/$vhost/$name" params={{ vhost: row.original.vhost, name: row.original.name === '' ? 'amq.default' : row.original.name }}>
        {row.original.name === '' ? '(default exchange)' : row.original.name}
      </Link>
    ),
  },
  { id: 'vhost', header: 'Vhost', accessorKey: 'vhost' },
  { id: 'type', header: 'Type', accessorKey: 'type' },
  { id: 'durable', header: 'Durable', accessorFn: (x) => (x.durable ? 'yes' : 'no') },
  { id: 'policy', header: 'Policy', accessorFn: (x) => x.policy ?? '' },
];

export function Exchanges() {
  const exchanges = useLive<ExchangeRow[]>(`/api/exchanges/${enc(useVhost())}`);
  const [filter, setFilter] = useState('');
  const mayDeclare = useAccess().mayAnywhere('configure');
  const rows = (exchanges.data ?? []).filter((x) => x.name.includes(filter));
  return (
    <>
      <h1>Exchanges</h1>
      <label>
        Search <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      <ErrorNote error={exchanges.error} />
      <DataTable label="Exchanges" data={rows} columns={columns} rowId={(x) => `${x.vhost}\n${x.name}`} />
      {mayDeclare && <NewExchange />}
    </>
  );
}

function NewExchange() {
  const [name, setName] = useState('');
  const [vhost, setVhost] = useState(useVhost());
  const [type, setType] = useState('direct');
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => declareExchange(vhost, name, type),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['api'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-exchange">
      <h2 id="new-exchange">Add an exchange</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor="exchange-name">Name</label>
        <input id="exchange-name" required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="exchange-vhost">Vhost</label>
        <input id="exchange-vhost" required value={vhost} onChange={(e) => setVhost(e.target.value)} />
        <label htmlFor="exchange-type">Type</label>
        <select id="exchange-type" value={type} onChange={(e) => setType(e.target.value)}>
          {['direct', 'fanout', 'topic', 'headers'].map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <button type="submit">Add exchange</button>
        <ErrorNote error={create.error} />
        {create.isSuccess && <p role="status">Exchange added.</p>}
      </form>
    </section>
  );
}
