/** Delayed publishes and retry back-offs waiting in a vhost: list, cancel, reschedule. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { Paged } from '../../api/http.js';
import { cancelScheduled, reschedule, scheduledPath } from '../../api/scheduled.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost, useVhostChange } from '../../vhost/useVhost.js';

interface ScheduledItem {
  id: string;
  reason: 'delay' | 'retry';
  due: number;
  due_at: string;
  queue: string | null;
  exchange: string | null;
  routing_key: string;
  attempt: number;
  size: number;
}

const PAGE = 100;

export function Scheduled() {
  const { page } = useSearch({ from: '/scheduled' });
  const vhost = useVhost();
  const navigate = useNavigate({ from: '/scheduled' });
  useVhostChange(vhost, () => void navigate({ search: { page: 1 } }));
  const list = useLive<Paged<ScheduledItem>>(scheduledPath(vhost, page, PAGE));
  const [cancelling, setCancelling] = useState<ScheduledItem | undefined>();
  const [moving, setMoving] = useState<{ id: string; due: string } | undefined>();
  const queryClient = useQueryClient();
  const mayChange = useAccess().inVhost(vhost);
  const done = () => void queryClient.invalidateQueries({ queryKey: ['api'] });
  const cancel = useMutation({
    mutationFn: (item: ScheduledItem) => cancelScheduled(vhost, item.id),
    onSuccess: () => {
      setCancelling(undefined);
      done();
    },
  });
  const move = useMutation({
    mutationFn: (m: { id: string; due: string }) => reschedule(vhost, m.id, new Date(m.due).getTime()),
    onSuccess: () => {
      setMoving(undefined);
      done();
    },
  });
  const data = list.data;
  return (
    <>
      <h1>Scheduled messages in vhost {vhost}</h1>
      <ErrorNote error={list.error ?? cancel.error ?? move.error} />
      {data !== undefined && <p role="status">{data.total_count} waiting</p>}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Due</th>
              <th scope="col">Why</th>
              <th scope="col">To</th>
              <th scope="col">Routing key</th>
              <th scope="col">Attempt</th>
              <th scope="col">Bytes</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(data?.items ?? []).map((item) => (
              <tr key={item.id}>
                <td>{item.due_at}</td>
                <td>{item.reason}</td>
                <td>{item.queue !== null ? `queue ${item.queue}` : `exchange ${item.exchange ?? ''}`}</td>
                <td className="mono">{item.routing_key}</td>
                <td>{item.attempt}</td>
                <td>{item.size}</td>
                <td className="buttons">
                  {!mayChange ? null : moving?.id === item.id ? (
                    <>
                      <label>
                        New time{' '}
                        <input type="datetime-local" step={1} value={moving.due} onChange={(e) => setMoving({ id: item.id, due: e.target.value })} />
                      </label>
                      <button type="button" onClick={() => move.mutate(moving)}>
                        Save
                      </button>
                    </>
                  ) : (
                    <button type="button" onClick={() => setMoving({ id: item.id, due: localInput(item.due) })}>
                      Reschedule
                    </button>
                  )}
                  {mayChange && (
                    <button type="button" className="danger" onClick={() => setCancelling(item)}>
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data !== undefined && data.page_count > 1 && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page <= 1} onClick={() => void navigate({ search: { page: page - 1 } })}>
            Previous
          </button>
          <button type="button" disabled={page >= data.page_count} onClick={() => void navigate({ search: { page: page + 1 } })}>
            Next
          </button>
        </nav>
      )}
      <Confirm
        open={cancelling !== undefined}
        title="Cancel this scheduled message?"
        action="Drop message"
        onCancel={() => setCancelling(undefined)}
        onConfirm={() => cancelling !== undefined && cancel.mutate(cancelling)}
      >
        <p>
          The message {cancelling?.id} due {cancelling?.due_at} for {cancelling?.queue ?? cancelling?.exchange} will be dropped.
        </p>
      </Confirm>
    </>
  );
}

function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}
