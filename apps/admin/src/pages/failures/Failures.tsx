/**
 * Dead-lettered messages across a vhost, grouped by reason, source queue and last error. Open a
 * group to browse it; redrive it back where it came from: a dry run first, then the job's live
 * progress, which can be cancelled.
 */
import { useQueries } from '@tanstack/react-query';
import type { BindingView } from '@warren/protocol';
import { useState } from 'react';
import { bindingsPath } from '../../api/exchanges.js';
import { enc } from '../../api/http.js';
import { browse } from '../../api/messages.js';
import type { QueueRow } from '../../api/queues.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { MessageList } from '../queue/MessageList.js';
import { deadLetterQueues, groupFailures, type FailureGroup } from './groups.js';
import { Redrive, RedriveProgress } from './Redrive.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost, useVhostChange } from '../../vhost/useVhost.js';

/** Messages read from each dead-letter queue to group; the counts say when there are more. */
const SAMPLE = 1000;

export function Failures() {
  const vhost = useVhost();
  // Only what finding dead-letter queues needs: a vhost of 10,000 queues is 10 MB in full.
  const queues = useLive<QueueRow[]>(`/api/queues/${enc(vhost)}?columns=name,effective_settings,messages_ready`);
  const bindings = useLive<BindingView[]>(bindingsPath(vhost));
  const access = useAccess();
  const mayRead = access.may(vhost, 'read');
  const dlqs = deadLetterQueues(Array.isArray(queues.data) ? queues.data : [], bindings.data ?? []);
  const depth = new Map((Array.isArray(queues.data) ? queues.data : []).map((q) => [q.name, q.messages_ready]));
  // Re-read a dead-letter queue whenever its depth changes (the live socket tells).
  const samples = useQueries({
    queries: dlqs.map((name) => ({
      queryKey: ['failures', vhost, name, depth.get(name)],
      queryFn: () => browse(vhost, name, SAMPLE, 0),
      // Reading a dead-letter queue's messages needs read on it: without any, they are not asked for.
      enabled: mayRead,
    })),
  });
  const groups: FailureGroup[] = samples.flatMap((s, i) => (s.data === undefined ? [] : groupFailures(dlqs[i]!, s.data)));
  const [open, setOpen] = useState<string | undefined>();
  useVhostChange(vhost, () => setOpen(undefined));
  const [jobs, setJobs] = useState<string[]>([]);
  const shown = groups.find((g) => g.key === open);
  return (
    <>
      <h1>Failures in vhost {vhost}</h1>
      <ErrorNote error={queues.error ?? samples.find((s) => s.error)?.error} />
      {!mayRead && <p>Browsing dead-lettered messages needs read permission in vhost {vhost}.</p>}
      <p>
        Dead-letter queues: {dlqs.length === 0 ? 'none (no queue has a dead-letter exchange bound to a queue)' : dlqs.join(', ')}
      </p>
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
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.length === 0 && (
            <tr>
              <td colSpan={6}>No dead-lettered messages.</td>
            </tr>
          )}
          {groups.map((g) => (
            <tr key={g.key} data-testid="failure-group">
              <td>{g.queue}</td>
              <td>{g.reason}</td>
              <td>{g.sourceQueue}</td>
              <td>{g.error ?? '–'}</td>
              <td>{g.messages.length}</td>
              <td>
                <button type="button" aria-expanded={open === g.key} onClick={() => setOpen(open === g.key ? undefined : g.key)}>
                  {open === g.key ? 'Close' : 'Open'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown !== undefined && (
        <section aria-labelledby="group-h">
          <h2 id="group-h">
            {shown.reason} in {shown.sourceQueue}
            {shown.error !== null && <>: “{shown.error}”</>}
          </h2>
          {access.may(vhost, 'configure') && <Redrive vhost={vhost} group={shown} onStarted={(id) => setJobs((all) => [id, ...all])} />}
          <MessageList messages={shown.messages.slice(0, 50)} />
          {shown.messages.length > 50 && <p>Showing 50 of {shown.messages.length}; browse the queue for the rest.</p>}
        </section>
      )}
    </>
  );
}
