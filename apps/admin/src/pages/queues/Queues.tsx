/**
 * The chosen vhost's queues: search (text or regex), sort by any column, pages of up to 500
 * rows virtualised, bulk delete, and declaring a new queue. The URL holds the view.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import type { ColumnDef, RowSelectionState, SortingState } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { Paged } from '../../api/http.js';
import { deleteQueue, queueListPath, toPage, type QueueRow } from '../../api/queues.js';
import { Confirm } from '../../components/Confirm.js';
import { DataTable, selectColumn } from '../../components/DataTable.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { NewQueue } from './NewQueue.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost, useVhostChange } from '../../vhost/useVhost.js';

export interface QueuesSearch {
  name: string;
  regex: boolean;
  sort: string;
  reverse: boolean;
  page: number;
  size: number;
}

export const DEFAULT_QUEUES_SEARCH: QueuesSearch = { name: '', regex: false, sort: 'name', reverse: false, page: 1, size: 100 };

const rate = (r: QueueRow, key: 'publish_details' | 'deliver_get_details' | 'ack_details') => r.message_stats?.[key]?.rate?.toFixed(1) ?? '–';

const columns: ColumnDef<QueueRow, any>[] = [
  selectColumn<QueueRow>((q) => q.name),
  {
    id: 'name',
    header: 'Name',
    accessorKey: 'name',
    cell: ({ row }) => (
      <Link to="/queues/$vhost/$name" params={{ vhost: row.original.vhost, name: row.original.name }}>
        {row.original.name}
      </Link>
    ),
  },
  { id: 'vhost', header: 'Vhost', accessorKey: 'vhost' },
  { id: 'type', header: 'Type', accessorKey: 'type' },
  { id: 'policy', header: 'Policy', accessorFn: (q) => q.policy ?? '' },
  { id: 'messages_ready', header: 'Ready', accessorKey: 'messages_ready' },
  { id: 'messages_unacknowledged', header: 'Unacked', accessorKey: 'messages_unacknowledged' },
  { id: 'consumers', header: 'Consumers', accessorKey: 'consumers' },
  { id: 'publish', header: 'In /s', enableSorting: false, cell: ({ row }) => rate(row.original, 'publish_details') },
  { id: 'deliver', header: 'Out /s', enableSorting: false, cell: ({ row }) => rate(row.original, 'deliver_get_details') },
];

export function Queues() {
  const search = useSearch({ from: '/queues' });
  const navigate = useNavigate({ from: '/queues' });
  const query = { page: search.page, pageSize: search.size, name: search.name, regex: search.regex, sort: search.sort, reverse: search.reverse };
  const vhost = useVhost();
  const list = useLive<QueueRow[] | Paged<QueueRow>>(queueListPath(vhost, query));
  const page = useMemo(() => (list.data === undefined ? undefined : toPage(list.data, query)), [list.data, JSON.stringify(query)]);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [confirming, setConfirming] = useState(false);
  const mayDelete = useAccess().mayAnywhere('configure');
  const queryClient = useQueryClient();
  const rows = page?.items ?? [];
  const selected = rows.filter((q) => selection[`${q.vhost}\n${q.name}`]);
  const remove = useMutation({
    mutationFn: async () => {
      for (const q of selected) await deleteQueue(q.vhost, q.name);
    },
    onSettled: () => {
      setSelection({});
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: ['api'] });
    },
  });
  const sorting: SortingState = [{ id: search.sort, desc: search.reverse }];
  const set = (patch: Partial<QueuesSearch>) => void navigate({ search: (s: QueuesSearch) => ({ ...s, ...patch }) });
  // Another vhost starts at its first page: the page we were on may not exist there.
  useVhostChange(vhost, () => {
    setSelection({});
    if (search.page > 1) set({ page: 1 });
  });
  return (
    <>
      <h1>Queues</h1>
      <div className="toolbar">
        <label>
          Search{' '}
          <input type="search" value={search.name} onChange={(e) => set({ name: e.target.value, page: 1 })} placeholder="name" />
        </label>
        <label className="inline">
          <input type="checkbox" checked={search.regex} onChange={(e) => set({ regex: e.target.checked, page: 1 })} /> Regex
        </label>
        <label>
          Per page{' '}
          <select value={search.size} onChange={(e) => set({ size: Number(e.target.value), page: 1 })}>
            {[100, 250, 500].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {mayDelete && (
          <button type="button" className="danger" disabled={selected.length === 0} onClick={() => setConfirming(true)}>
            Delete selected ({selected.length})
          </button>
        )}
      </div>
      <ErrorNote error={list.error ?? remove.error} />
      {page !== undefined && (
        <p role="status" data-testid="queue-count">
          {page.filtered_count ?? page.total_count} of {page.total_count} queues · page {page.page} of {page.page_count}
        </p>
      )}
      <DataTable
        label="Queues"
        data={rows}
        columns={columns}
        rowId={(q) => `${q.vhost}\n${q.name}`}
        sorting={sorting}
        onSortingChange={(updater) => {
          const next = typeof updater === 'function' ? updater(sorting) : updater;
          const first = next[0];
          set({ sort: first?.id ?? 'name', reverse: first?.desc ?? false });
        }}
        {...(mayDelete ? { selection, onSelectionChange: setSelection } : {})}
        empty="No queues match."
      />
      {page !== undefined && page.page_count > 1 && (
        <nav aria-label="Pages of queues" className="pager">
          <button type="button" disabled={page.page <= 1} onClick={() => set({ page: page.page - 1 })}>
            Previous
          </button>
          <button type="button" disabled={page.page >= page.page_count} onClick={() => set({ page: page.page + 1 })}>
            Next
          </button>
        </nav>
      )}
      {mayDelete && <NewQueue />}
      <Confirm
        open={confirming}
        title={`Delete ${selected.length} queue${selected.length === 1 ? '' : 's'}?`}
        action="Delete"
        onCancel={() => setConfirming(false)}
        onConfirm={() => remove.mutate()}
      >
        <p>These queues and every message in them will be deleted:</p>
        <ul>
          {selected.slice(0, 20).map((q) => (
            <li key={`${q.vhost}\n${q.name}`}>
              {q.name} (vhost {q.vhost}, {q.messages} messages)
            </li>
          ))}
          {selected.length > 20 && <li>and {selected.length - 20} more</li>}
        </ul>
      </Confirm>
    </>
  );
}
