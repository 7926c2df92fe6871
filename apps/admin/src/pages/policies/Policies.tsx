/**
 * Policies: the chosen vhost's list, a JSON editor checked as you type with the broker's schema, a guided form
 * for dead-letter + retry, and before anything is saved the dry run's list of queues it would
 * change.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { PolicyBody, PolicyView } from '@warren/protocol';
import { useState } from 'react';
import { deletePolicy } from '../../api/policies.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { DeadLetterForm } from './DeadLetterForm.js';
import { PolicyEditor } from './PolicyEditor.js';
import { useAccess } from '../../session/useAccess.js';
import { useVhost } from '../../vhost/useVhost.js';
import { enc } from '../../api/http.js';

export interface Draft {
  vhost: string;
  name: string;
  body: PolicyBody;
  /** Created with the policy, before it (the guided form's dead-letter exchange and queue). */
  setup?: () => Promise<void>;
}

export function Policies() {
  const policies = useLive<PolicyView[]>(`/api/policies/${enc(useVhost())}`);
  const [editing, setEditing] = useState<PolicyView | undefined>();
  const [removing, setRemoving] = useState<PolicyView | undefined>();
  const [mode, setMode] = useState<'guided' | 'json'>('guided');
  const mayEdit = useAccess().hasTag('policymaker');
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (p: PolicyView) => deletePolicy(p.vhost, p.name),
    onSuccess: () => {
      setRemoving(undefined);
      void queryClient.invalidateQueries({ queryKey: ['api'] });
    },
  });
  return (
    <>
      <h1>Policies</h1>
      <ErrorNote error={policies.error ?? remove.error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Vhost</th>
              <th scope="col">Pattern</th>
              <th scope="col">Apply to</th>
              <th scope="col">Priority</th>
              <th scope="col">Definition</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(policies.data ?? []).map((p) => (
              <tr key={`${p.vhost}\n${p.name}`}>
                <td>{p.name}</td>
                <td>{p.vhost}</td>
                <td className="mono">{p.pattern}</td>
                <td>{p['apply-to']}</td>
                <td>{p.priority}</td>
                <td className="mono">{JSON.stringify(p.definition)}</td>
                <td className="buttons">
                  {mayEdit && (
                    <>
                      <button
                        type="button"
                        onClick={() => {
                          setMode('json');
                          setEditing(p);
                        }}
                      >
                        Edit {p.name}
                      </button>
                      <button type="button" className="danger" onClick={() => setRemoving(p)}>
                        Delete {p.name}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {mayEdit ? (
        <>
          <div role="group" aria-label="Policy editor" className="tabs">
            <button type="button" aria-pressed={mode === 'guided'} onClick={() => setMode('guided')}>
              Dead-letter + retry (guided)
            </button>
            <button type="button" aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
              JSON editor
            </button>
          </div>
          {mode === 'guided' ? <DeadLetterForm /> : <PolicyEditor key={editing === undefined ? 'new' : `${editing.vhost}\n${editing.name}`} policy={editing} />}
        </>
      ) : (
        <p>Changing policies needs the policymaker tag.</p>
      )}
      <Confirm
        open={removing !== undefined}
        title={`Delete policy “${removing?.name ?? ''}”?`}
        action="Delete"
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => removing !== undefined && remove.mutate(removing)}
      >
        <p>
          Policy “{removing?.name}” (vhost {removing?.vhost}) will be deleted; the queues it matches go back to their next policy or their own
          arguments.
        </p>
      </Confirm>
    </>
  );
}
