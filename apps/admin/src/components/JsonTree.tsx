/** A JSON value as a collapsible tree of text (<details>, so it opens by keyboard). */
export function JsonTree({ value, name }: { value: unknown; name?: string }) {
  const label = name === undefined ? null : <span className="key">{name}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return (
      <details open className="json-node">
        <summary>
          {label}
          {Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}
        </summary>
        <ul>
          {entries.map(([k, v]) => (
            <li key={k}>
              <JsonTree value={v} name={k} />
            </li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <span className="json-leaf">
      {label}
      <span className={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
    </span>
  );
}
