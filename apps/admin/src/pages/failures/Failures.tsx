/**
 * Dead-lettered messages across a vhost, grouped by reason, source queue and last error. The
 * broker groups every message of every dead-letter queue (`GET /api/failures/{vhost}`, followed
 * live), so the counts are exact however many there are. Open a group to browse exactly its
 * messages; redrive it back where it came from: a dry run first, then the job's live progress,
 * which can be cancelled.
 */
import { useState } from 'react';
import { failuresPath, groupKey, type FailuresView } from '../../api/failures.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { GroupMessages } from './GroupMessages.js';
import { Redrive, RedriveProgress } from './Redrive.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost, useVhostChange } from '../../vhost/useVhost.js';

export function Failures() {
  const vhost = useVhost();
  const access = useAccess();
  const mayRead = access.may(vhost, 'read');
  // Reading dead-letter queues needs read on them: without any, the broker is not asked.
  const failures = useLive<FailuresView>(mayRead ? failuresPath(vhost) : undefined);
  const [open, setOpen] = useState<string | undefined>();
  useVhostChange(vhost, () => setOpen(undefined));
  const [jobs, setJobs] = useState<string[]>([]);
  const view = failures.data;
  const groups = view?.groups ?? [];
  const shown = groups.find((g) => groupKey(g) === open);
  return (
    <>
      <h1>Failures in vhost {vhost}</h1>
      <ErrorNote error={failures.error} />
      {!mayRead && <p>Browsing dead-lettered messages needs read permission in vhost {vhost}.</p>}
      {view !== undefined && (
        <p>
          Dead-letter queues: {view.queues.length === 0 ? 'none (no queue has a dead-letter exchange bound to a queue)' : view.queues.join(', ')}
          {view.queues.length > 0 && ` (${view.scanned} messages)`}
          {view.ungrouped > 0 && `; ${view.ungrouped} more in groups beyond the first ${groups.length}`}
        </p>
      )}
      {jobs.length > 0 && (
        <section aria-label="Redrives">
          {jobs.map((id) => (
            <RedriveProgress key={id} id={id} />
          ))}
        </section>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Dead-letter queue</th>
            <th scope="col">Reason</th>
            <th scope="col">Died in</th>
            <th scope="col">Last error</th>
            <th scope="col">Messages</th>
            <th scope="col">Died between</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.length === 0 && (
            <tr>
              <td colSpan={7}>No dead-lettered messages.</td>
            </tr>
          )}
          {groups.map((g) => {
            const key = groupKey(g);
            return (
              <tr key={key} data-testid="failure-group">
                <td>{g.queue}</td>
                <td>{g.reason ?? 'unknown'}</td>
                <td>{g.source_queue ?? 'unknown'}</td>
                <td>{g.last_error ?? '–'}</td>
                <td data-testid="failure-count">{g.count}</td>
                <td>
                  <time dateTime={g.oldest}>{new Date(g.oldest).toLocaleString()}</time> – <time dateTime={g.newest}>{new Date(g.newest).toLocaleString()}</time>
                </td>
                <td>
                  <button type="button" aria-expanded={open === key} onClick={() => setOpen(open === key ? undefined : key)}>
                    {open === key ? 'Close' : 'Open'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown !== undefined && (
        <section aria-labelledby="group-h">
          <h2 id="group-h">
            {shown.reason ?? 'unknown'} in {shown.source_queue ?? 'unknown'}
            {shown.last_error !== null && <>: “{shown.last_error}”</>}
          </h2>
          {shown.filter !== null && access.may(vhost, 'configure') && (
            <Redrive vhost={vhost} queue={shown.queue} filter={shown.filter} onStarted={(id) => setJobs((all) => [id, ...all])} />
          )}
          <GroupMessages key={open} vhost={vhost} group={shown} />
        </section>
      )}
    </>
  );
}
