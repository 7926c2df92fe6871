/** A policy as JSON, checked as you type with the broker's schema; saved after the dry run. */
import type { PolicyView } from '@warren/protocol';
import { useId, useState } from 'react';
import { JsonEditor, jsonProblems } from '../../components/JsonEditor.js';
import { policyProblems } from './check.js';
import { SaveWithDryRun } from './SaveWithDryRun.js';
import { useVhost } from '../../vhost/useVhost.js';

const EXAMPLE = { pattern: '^orders\\.', 'apply-to': 'queues', priority: 0, definition: { 'max-length': 10000 } };

export function PolicyEditor({ policy }: { policy: PolicyView | undefined }) {
  const id = useId();
  const [name, setName] = useState(policy?.name ?? '');
  const chosen = useVhost();
  const [vhost, setVhost] = useState(policy?.vhost ?? chosen);
  const initial = policy === undefined ? EXAMPLE : { pattern: policy.pattern, 'apply-to': policy['apply-to'], priority: policy.priority, definition: policy.definition };
  const [text, setText] = useState(JSON.stringify(initial, null, 2));
  const valid = name !== '' && jsonProblems(text, policyProblems).length === 0;
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{policy === undefined ? 'New policy (JSON)' : `Edit policy ${policy.name}`}</h2>
      <div className="stack">
        <label htmlFor={`${id}-n`}>Name</label>
        <input id={`${id}-n`} required value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${id}-v`}>Vhost</label>
        <input id={`${id}-v`} required value={vhost} onChange={(e) => setVhost(e.target.value)} />
        <JsonEditor label="Policy" value={text} onChange={setText} check={policyProblems} />
      </div>
      <SaveWithDryRun draft={valid ? { vhost, name, body: JSON.parse(text) } : undefined} />
    </section>
  );
}
