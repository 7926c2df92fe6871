/**
 * Redrives a failure group back to the queues its messages died in: a dry run shows how many
 * would move and where, the user confirms, then the job's progress is followed live over the
 * push socket and can be cancelled. The API filters by reason and source queue; the error is
 * not a filter, so the dry run's count is what really moves.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { cancelRedrive, redriveDryRun, redrivePath, startRedrive, type RedriveFilter, type RedriveJob } from '../../api/messages.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import type { FailureGroup } from './groups.js';

export function Redrive({ vhost, group }: { vhost: string; group: FailureGroup }) {
  const filter: RedriveFilter = { reason: group.reason, source_queue: group.sourceQueue };
  const [jobId, setJobId] = useState<string | undefined>();
  const queryClient = useQueryClient();
  const preview = useMutation({ mutationFn: () => redriveDryRun(vhost, group.queue, filter) });
  const start = useMutation({
    mutationFn: () => startRedrive(vhost, group.queue, filter),
    onSuccess: ({ id }) => {
      preview.reset();
      setJobId(id);
    },
  });
  const job = useLive<RedriveJob>(jobId === undefined ? undefined : redrivePath(jobId));
  const cancel = useMutation({
    mutationFn: () => cancelRedrive(jobId!),
    onSuccess: (j) => queryClient.setQueryData(['api', redrivePath(jobId!)], j),
  });
  const j = job.data;
  return (
    <div className="redrive">
      <button type="button" onClick={() => preview.mutate()} disabled={j?.state === 'running'}>
        Redrive…
      </button>
      <ErrorNote error={preview.error ?? start.error ?? cancel.error} />
      <Confirm
        open={preview.data !== undefined}
        title={`Redrive from “${group.queue}”?`}
        action={`Redrive ${preview.data?.matched ?? 0}`}
        onCancel={() => preview.reset()}
        onConfirm={() => start.mutate()}
      >
        <p data-testid="redrive-preview">
          Dry run: {preview.data?.matched ?? 0} messages ({group.reason}, died in {group.sourceQueue}) would move:
        </p>
        <ul>
          {preview.data?.groups.map((g, i) => (
            <li key={i}>
              {g.count} to{' '}
              {g.to === null ? 'nowhere (they stay)' : 'queue' in g.to ? `queue ${g.to.queue}` : `exchange ${g.to.exchange} with key ${g.to.routing_key}`}
            </li>
          ))}
        </ul>
      </Confirm>
      {j !== undefined && (
        <div role="status" data-testid="redrive-job" data-state={j.state}>
          Redrive {j.state}: {j.moved} moved, {j.skipped} skipped
          {j.remaining !== null && `, ${j.remaining} remaining`}
          {j.matched !== null && <progress max={Math.max(1, j.matched)} value={j.moved + j.skipped} aria-label="Redrive progress" />}
          {j.error !== undefined && ` (${j.error})`}
          {j.state === 'running' && (
            <button type="button" onClick={() => cancel.mutate()}>
              Cancel redrive
            </button>
          )}
        </div>
      )}
    </div>
  );
}
