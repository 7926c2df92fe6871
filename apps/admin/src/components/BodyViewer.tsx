/**
 * A message body as a JSON tree, as text or as hex. Everything is rendered as React text
 * nodes: a body is shown, never interpreted (no HTML, no dangerouslySetInnerHTML).
 */
import { useState } from 'react';
import { JsonTree } from './JsonTree.js';

type View = 'json' | 'text' | 'hex';

export function hexDump(bytes: Uint8Array, limit = 64 * 1024): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, limit);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}

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
