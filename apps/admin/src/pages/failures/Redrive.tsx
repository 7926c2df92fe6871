/**
 * Redrives a failure group back to the queues its messages died in: a dry run shows how many
 * would move and where, the user confirms, then the job's progress is followed live over the
 * push socket and can be cancelled. The API filters by all three of the group's keys (reason,
 * source queue, last error), so the dry run counts exactly the group, beyond the page's sample
 * too. A pace (messages a second) keeps a large redrive from flooding its consumers. The job's
 * progress is shown by RedriveProgress, which the page keeps while the group empties.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { cancelRedrive, redriveDryRun, redrivePath, startRedrive, type RedriveFilter, type RedriveJob } from '../../api/messages.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import type { FailureGroup } from './groups.js';
import { useAccess } from '../../session/useAccess.js';

export function Redrive({ vhost, group, onStarted }: { vhost: string; group: FailureGroup; onStarted(id: string): void }) {
  const id = useId();
  const [pace, setPace] = useState('');
  const filter: RedriveFilter = { reason: group.reason, source_queue: group.sourceQueue, last_error: group.error };
  const preview = useMutation({ mutationFn: () => redriveDryRun(vhost, group.queue, filter) });
  const start = useMutation({
    mutationFn: () => startRedrive(vhost, group.queue, filter, pace === '' ? undefined : Number(pace)),
    onSuccess: ({ id }) => {
      preview.reset();
      onStarted(id);
    },
  });
  return (
    <div className="redrive">
      <button type="button" onClick={() => preview.mutate()}>
        Redrive…
      </button>
      <ErrorNote error={preview.error ?? start.error} />
      <Confirm
        open={preview.data !== undefined}
        title={`Redrive from “${group.queue}”?`}
        action={`Redrive ${preview.data?.matched ?? 0}`}
        onCancel={() => preview.reset()}
        onConfirm={() => start.mutate()}
      >
        <p data-testid="redrive-preview">
          Dry run: {preview.data?.matched ?? 0} messages ({group.reason}, died in {group.sourceQueue}, last error{' '}
          {group.error === null ? 'none' : `“${group.error}”`}) would move:
        </p>
        <ul>
          {preview.data?.groups.map((g, i) => (
            <li key={i}>
              {g.count} to{' '}
              {g.to === null ? 'nowhere (they stay)' : 'queue' in g.to ? `queue ${g.to.queue}` : `exchange ${g.to.exchange} with key ${g.to.routing_key}`}
            </li>
          ))}
        </ul>
        <label htmlFor={`${id}-pace`}>At most this many messages a second (empty: as fast as they go)</label>
        <input id={`${id}-pace`} type="number" min="0.01" step="any" inputMode="decimal" value={pace} onChange={(e) => setPace(e.target.value)} />
      </Confirm>
    </div>
  );
}

/** A redrive job's progress, pushed live; it outlives the group it came from (which empties as it runs). */
export function RedriveProgress({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const job = useLive<RedriveJob>(redrivePath(id));
  const cancel = useMutation({
    mutationFn: () => cancelRedrive(id),
    onSuccess: (j) => queryClient.setQueryData(['api', redrivePath(id)], j),
  });
  const j = job.data;
  // Cancelling a redrive is the administrator's (docs/security.md).
  const mayCancel = useAccess().hasTag('administrator');
  return (
    <>
      <ErrorNote error={job.error ?? cancel.error} />
      {j !== undefined && (
        <div role="status" data-testid="redrive-job" data-state={j.state}>
          Redrive {j.state}: {j.moved} moved, {j.skipped} skipped
          {j.remaining !== null && `, ${j.remaining} remaining`}
          {j.matched !== null && <progress max={Math.max(1, j.matched)} value={j.moved + j.skipped} aria-label="Redrive progress" />}
          {typeof j.error === 'string' && ` (${j.error})`}
          {j.state === 'running' && mayCancel && (
            <button type="button" onClick={() => cancel.mutate()}>
              Cancel redrive
            </button>
          )}
        </div>
      )}
    </>
  );
}
