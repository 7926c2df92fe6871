/** Who is connected to the chosen vhost, their rates, their consumers and unacknowledged messages; close a connection. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { closeConnection, type ConnectionRow, type ConsumerRow } from '../../api/cluster.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { bytes } from '../nodes/Nodes.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost } from '../../vhost/useVhost.js';
import { enc } from '../../api/http.js';

export function Connections() {
  const id = useId();
  const vhost = enc(useVhost());
  const connections = useLive<ConnectionRow[]>(`/api/vhosts/${vhost}/connections`);
  const consumers = useLive<ConsumerRow[]>(`/api/consumers/${vhost}`);
  const [closing, setClosing] = useState<ConnectionRow | undefined>();
  const [reason, setReason] = useState('Closed from the admin UI');
  const queryClient = useQueryClient();
  // Closing a connection is the administrator's (docs/security.md).
  const mayClose = useAccess().hasTag('administrator');
  const close = useMutation({
    mutationFn: (c: ConnectionRow) => closeConnection(c.name, reason),
    onSuccess: () => {
      setClosing(undefined);
      void queryClient.invalidateQueries({ queryKey: ['api'] });
    },
  });
  return (
    <>
      <h1>Connections</h1>
      {connections.isError ? (
        <p>This broker does not list connections yet (GET /api/connections).</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">User</th>
                <th scope="col">From</th>
                <th scope="col">State</th>
                <th scope="col">In /s</th>
                <th scope="col">Out /s</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(connections.data ?? []).length === 0 && (
                <tr>
                  <td colSpan={7}>No connections.</td>
                </tr>
              )}
              {(connections.data ?? []).map((c) => (
                <tr key={c.name}>
                  <td className="mono">{c.name}</td>
                  <td>{c.user ?? '–'}</td>
                  <td>{c.peer_host === undefined ? '–' : `${c.peer_host}:${c.peer_port ?? ''}`}</td>
                  <td>{c.state ?? 'running'}</td>
                  <td>{bytes(c.recv_oct_details?.rate)}</td>
                  <td>{bytes(c.send_oct_details?.rate)}</td>
                  <td>
                    {mayClose && (
                      <button type="button" className="danger" onClick={() => setClosing(c)}>
                        Close {c.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNote error={close.error} />
      <h2>Consumers</h2>
      {consumers.isError ? (
        <p>This broker does not list consumers yet (GET /api/consumers).</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Queue</th>
                <th scope="col">Connection</th>
                <th scope="col">Prefetch</th>
                <th scope="col">Unacked</th>
              </tr>
            </thead>
            <tbody>
              {(consumers.data ?? []).map((c) => (
                <tr key={`${c.channel_details?.connection_name ?? ''}\n${c.consumer_tag}`}>
                  <td className="mono">{c.consumer_tag}</td>
                  <td>{c.queue.name}</td>
                  <td className="mono">{c.channel_details?.connection_name ?? '–'}</td>
                  <td>{c.prefetch_count ?? '–'}</td>
                  <td>{c.messages_unacknowledged ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Confirm
        open={closing !== undefined}
        title={`Close connection “${closing?.name ?? ''}”?`}
        action="Close connection"
        onCancel={() => setClosing(undefined)}
        onConfirm={() => closing !== undefined && close.mutate(closing)}
      >
        <p>Its unacknowledged messages go back to their queues; the client is told this reason:</p>
        <label htmlFor={`${id}-reason`}>Reason</label>
        <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Confirm>
    </>
  );
}
