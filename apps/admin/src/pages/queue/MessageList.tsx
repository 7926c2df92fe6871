/** Browsed messages: routing key, headers and properties as text, the body in the viewer. */
import { payloadBytes, type BrowsedMessage } from '../../api/messages.js';
import { BodyViewer } from '../../components/BodyViewer.js';
import { JsonTree } from '../../components/JsonTree.js';

export function MessageList({ messages }: { messages: BrowsedMessage[] }) {
  if (messages.length === 0) return <p role="status">No messages match.</p>;
  return (
    <ol className="messages" aria-label="Messages">
      {messages.map((m) => {
        const { headers, ...properties } = m.properties;
        return (
          <li key={m.id} className="message">
            <p>
              <strong>Routing key</strong> <span className="mono">{m.routing_key}</span> · <strong>Exchange</strong>{' '}
              <span className="mono">{m.exchange === '' ? '(default)' : m.exchange}</span> · {m.payload_bytes} bytes · delivered{' '}
              {m.delivery_count} times
            </p>
            <details>
              <summary>Headers and properties</summary>
              <JsonTree value={{ headers: headers ?? {}, ...properties }} />
            </details>
            <BodyViewer bytes={payloadBytes(m)} label={`Body of message ${m.id}`} />
          </li>
        );
      })}
    </ol>
  );
}
