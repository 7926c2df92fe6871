/** Saving a policy: first the dry run's list of queues it would change, then save. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { policyDryRun, savePolicy } from '../../api/policies.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { Draft } from './Policies.js';

export function SaveWithDryRun({ draft }: { draft: Draft | undefined }) {
  const queryClient = useQueryClient();
  const dryRun = useMutation({ mutationFn: (d: Draft) => policyDryRun(d.vhost, d.name, d.body) });
  const save = useMutation({
    mutationFn: async (d: Draft) => {
      await d.setup?.();
      await savePolicy(d.vhost, d.name, d.body);
    },
    onSuccess: () => {
      dryRun.reset();
      void queryClient.invalidateQueries({ queryKey: ['api'] });
    },
  });
  const result = dryRun.data;
  return (
    <div className="stack">
      <button type="button" disabled={draft === undefined} onClick={() => draft !== undefined && dryRun.mutate(draft)}>
        Preview changes
      </button>
      <ErrorNote error={dryRun.error ?? save.error} />
      {result !== undefined && (
        <div data-testid="dry-run">
          <p>
            Matches {result.matched.queues.length} queues and {result.matched.exchanges.length} exchanges;{' '}
            {result.queues.length === 0 ? 'no queue would change.' : `${result.queues.length} queues would change:`}
          </p>
          <ul>
            {result.queues.map((q) => (
              <li key={q.name}>
                {q.name}: {q.policy.old ?? 'no policy'} → {q.policy.new ?? 'no policy'}
                {Object.keys(q.changes).length > 0 && ` (${Object.keys(q.changes).join(', ')})`}
              </li>
            ))}
          </ul>
          <button type="button" disabled={draft === undefined || save.isPending} onClick={() => draft !== undefined && save.mutate(draft)}>
            Save policy
          </button>
        </div>
      )}
      {save.isSuccess && <p role="status">Policy saved.</p>}
    </div>
  );
}
