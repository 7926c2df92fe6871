/**
 * A message body as a JSON tree, as text or as hex. Everything is rendered as React text
 * nodes: a body is shown, never interpreted (no HTML, no dangerouslySetInnerHTML).
 */
import { useState } from 'react';
import { hexDump } from './hex-dump.js';
import { JsonTree } from './JsonTree.js';

type View = 'json' | 'text' | 'hex';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function BodyViewer({ bytes, label }: { bytes: Uint8Array; label: string }) {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const json = parseJson(text);
  const [view, setView] = useState<View>(json.ok ? 'json' : 'text');
  const views: View[] = json.ok ? ['json', 'text', 'hex'] : ['text', 'hex'];
  return (
    <div className="body-viewer">
      <div role="group" aria-label={`${label}: view as`} className="tabs">
        {views.map((v) => (
          <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
            {v === 'json' ? 'JSON tree' : v === 'text' ? 'Text' : 'Hex'}
          </button>
        ))}
      </div>
      {view === 'json' && json.ok ? <JsonTree value={json.value} /> : <pre className="body">{view === 'hex' ? hexDump(bytes) : text}</pre>}
    </div>
  );
}
