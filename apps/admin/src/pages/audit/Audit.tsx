/** The audit log: operator actions that lose, move or change things, newest first, paged. */
import { useNavigate, useSearch } from '@tanstack/react-router';
import { auditPath } from '../../api/audit.js';
import type { Paged } from '../../api/http.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';

interface AuditEntry {
  time: string;
  user: string;
  action: string;
  object: { type: string; vhost?: string; name?: string };
  parameters: Record<string, unknown>;
  counts: Record<string, unknown>;
}

export function Audit() {
  const { page } = useSearch({ from: '/audit' });
  const navigate = useNavigate({ from: '/audit' });
  const log = useLive<Paged<AuditEntry>>(auditPath(page, 100));
  const data = log.data;
  return (
    <>
      <h1>Audit log</h1>
      <ErrorNote error={log.error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Counts</th>
            </tr>
          </thead>
          <tbody>
            {(data?.items ?? []).map((e, i) => (
              <tr key={`${e.time}\n${i}`}>
                <td>{e.time}</td>
                <td>{e.user}</td>
                <td>{e.action}</td>
                <td>
                  {e.object.type} {e.object.name ?? ''} {e.object.vhost !== undefined && `(vhost ${e.object.vhost})`}
                </td>
                <td className="mono">{JSON.stringify(e.counts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data !== undefined && data.page_count > 1 && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page <= 1} onClick={() => void navigate({ search: { page: page - 1 } })}>
            Newer
          </button>
          <button type="button" disabled={page >= data.page_count} onClick={() => void navigate({ search: { page: page + 1 } })}>
            Older
          </button>
        </nav>
      )}
    </>
  );
}
