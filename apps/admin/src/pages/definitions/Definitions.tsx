/** Definitions (RabbitMQ's format): download an export; import a file after seeing its diff, with prune as an option. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { diffDefinitions, exportDefinitions, importDefinitions } from '../../api/definitions.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { JsonTree } from '../../components/JsonTree.js';

export function Definitions() {
  const id = useId();
  const [doc, setDoc] = useState<unknown>();
  const [fileError, setFileError] = useState<string | undefined>();
  const [prune, setPrune] = useState(false);
  const [force, setForce] = useState(false);
  const queryClient = useQueryClient();
  const download = useMutation({
    mutationFn: exportDefinitions,
    onSuccess: (definitions) => {
      const url = URL.createObjectURL(new Blob([JSON.stringify(definitions, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `warren-definitions-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  });
  const diff = useMutation({ mutationFn: (d: unknown) => diffDefinitions(d) });
  const apply = useMutation({
    mutationFn: () => importDefinitions(doc, prune, force),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['api'] }),
  });
  const read = async (file: File | undefined) => {
    setFileError(undefined);
    diff.reset();
    apply.reset();
    if (file === undefined) return;
    try {
      const parsed: unknown = JSON.parse(await file.text());
      setDoc(parsed);
      diff.mutate(parsed);
    } catch (error) {
      setFileError(`${file.name}: ${(error as Error).message}`);
    }
  };
  return (
    <>
      <h1>Definitions</h1>
      <section aria-labelledby={`${id}-x`}>
        <h2 id={`${id}-x`}>Export</h2>
        <p>Exchanges, queues, bindings and policies in RabbitMQ's definitions format.</p>
        <button type="button" onClick={() => download.mutate()}>
          Download definitions
        </button>
        <ErrorNote error={download.error} />
      </section>
      <section aria-labelledby={`${id}-i`}>
        <h2 id={`${id}-i`}>Import</h2>
        <label htmlFor={`${id}-file`}>Definitions file (JSON)</label>
        <input id={`${id}-file`} type="file" accept="application/json,.json" onChange={(e) => void read(e.target.files?.[0])} />
        {fileError !== undefined && <ErrorNote error={fileError} />}
        <ErrorNote error={diff.error ?? apply.error} />
        {diff.data !== undefined && (
          <div data-testid="definitions-diff">
            <h3>What the import would change</h3>
            <JsonTree value={diff.data} />
            <label className="inline">
              <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Prune: delete what the file does not have
            </label>
            {prune && (
              <label className="inline">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Even queues that hold messages
              </label>
            )}
            <button type="button" onClick={() => apply.mutate()} disabled={apply.isPending}>
              Import
            </button>
          </div>
        )}
        {apply.data !== undefined && (
          <div role="status">
            Imported.
            {(apply.data.warnings ?? []).length > 0 && (
              <ul>
                {apply.data.warnings!.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </section>
    </>
  );
}
