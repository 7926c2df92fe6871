/** The settings in effect on a queue, each with where it comes from, and the queue's own arguments. */
import type { QueueDetail } from '../../api/queues.js';

export function EffectiveSettings({ queue }: { queue: QueueDetail }) {
  const effective = Object.entries(queue.effective_arguments ?? {});
  const args = Object.entries(queue.arguments ?? {});
  return (
    <>
      <section aria-labelledby="effective">
        <h2 id="effective">Effective policy</h2>
        {effective.length === 0 ? (
          <p>Nothing set: Warren's defaults apply.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {effective.map(([key, { value, source }]) => (
                <tr key={key}>
                  <td>{key}</td>
                  <td>{JSON.stringify(value)}</td>
                  <td>{source.type === 'policy' ? `policy ${source.name}` : source.type === 'argument' ? 'queue argument' : 'default'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="arguments">
        <h2 id="arguments">Arguments</h2>
        {args.length === 0 ? (
          <p>None.</p>
        ) : (
          <table>
            <tbody>
              {args.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td>{JSON.stringify(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
