/**
 * Browses a queue without consuming it (the API's peek), a page at a time, with its filters:
 * routing key pattern, body text, JSON path = value. Nothing is taken or redelivered.
 */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { browse, type BrowseFilter } from '../../api/messages.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { MessageList } from './MessageList.js';

const PAGE = 20;

export function Browse({ vhost, queue }: { vhost: string; queue: string }) {
  const id = useId();
  const [routingKey, setRoutingKey] = useState('');
  const [contains, setContains] = useState('');
  const [jsonPath, setJsonPath] = useState('');
  const [equals, setEquals] = useState('');
  const [offset, setOffset] = useState(0);
  const peek = useMutation({
    mutationFn: (from: number) => {
      const filter: BrowseFilter = {};
      if (routingKey !== '') filter.routing_key = routingKey;
      if (contains !== '') filter.body_contains = contains;
      if (jsonPath !== '') {
        filter.json_path = jsonPath;
        filter.equals = parseLoose(equals);
      }
      return browse(vhost, queue, PAGE, from, Object.keys(filter).length === 0 ? undefined : filter);
    },
  });
  const run = (from: number) => {
    setOffset(from);
    peek.mutate(from);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run(0);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Browse messages</h2>
      <p>Peeks at the ready messages: nothing is consumed, moved or marked redelivered.</p>
      <form className="row" onSubmit={submit} aria-label="Browse filters">
        <label htmlFor={`${id}-rk`}>Routing key (topic pattern)</label>
        <input id={`${id}-rk`} value={routingKey} onChange={(e) => setRoutingKey(e.target.value)} />
        <label htmlFor={`${id}-c`}>Body contains</label>
        <input id={`${id}-c`} value={contains} onChange={(e) => setContains(e.target.value)} />
        <label htmlFor={`${id}-p`}>JSON path</label>
        <input id={`${id}-p`} placeholder="$.order.id" value={jsonPath} onChange={(e) => setJsonPath(e.target.value)} />
        <label htmlFor={`${id}-e`}>equals</label>
        <input id={`${id}-e`} value={equals} onChange={(e) => setEquals(e.target.value)} />
        <button type="submit">Browse</button>
      </form>
      <ErrorNote error={peek.error} />
      {peek.data !== undefined && (
        <>
          <MessageList messages={peek.data} />
          <nav className="pager" aria-label="Pages of messages">
            <button type="button" disabled={offset === 0} onClick={() => run(Math.max(0, offset - PAGE))}>
              Previous
            </button>
            <button type="button" disabled={peek.data.length < PAGE || peek.data.at(-1)?.message_count === 0} onClick={() => run(offset + PAGE)}>
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

/** `42`, `true`, `"x"` or `{…}` as JSON; anything else as the string typed. */
function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
