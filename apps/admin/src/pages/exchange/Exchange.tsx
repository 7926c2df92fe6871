/** One exchange: its bindings both ways, a test publish, the routing dry run, delete. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import type { BindingView } from '@warren/protocol';
import { useState } from 'react';
import { bindingsPath, deleteBinding, deleteExchange, exchangePath, type ExchangeRow } from '../../api/exchanges.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PublishForm } from '../../components/PublishForm.js';
import { useLive } from '../../live/useLive.js';
import { RouteDryRun } from './RouteDryRun.js';
import { useAccess } from '../../session/useAccess.js';

export function Exchange() {
  const { vhost, name: param } = useParams({ from: '/exchanges/$vhost/$name' });
  const name = param === 'amq.default' ? '' : param;
  const exchange = useLive<ExchangeRow>(exchangePath(vhost, param));
  const bindings = useLive<BindingView[]>(bindingsPath(vhost));
  const [confirm, setConfirm] = useState(false);
  const access = useAccess();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => deleteExchange(vhost, name),
    onSuccess: () => {
      setConfirm(false);
      void queryClient.invalidateQueries({ queryKey: ['api'] });
      void navigate({ to: '/exchanges' });
    },
  });
  const unbind = useMutation({
    mutationFn: deleteBinding,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['api'] }),
  });
  const from = (bindings.data ?? []).filter((b) => b.source === name);
  const to = (bindings.data ?? []).filter((b) => b.destination_type === 'exchange' && b.destination === name);
  const x = exchange.data;
  return (
    <>
      <h1>
        Exchange <span className="name">{name === '' ? '(default exchange)' : name}</span>
      </h1>
      <p className="sub">
        vhost {vhost}
        {x !== undefined && ` · ${x.type}${x.durable ? ', durable' : ''}${x.internal ? ', internal' : ''}`}
      </p>
      <ErrorNote error={exchange.error ?? remove.error ?? unbind.error} />
      {name !== '' && !name.startsWith('amq.') && access.may(vhost, 'configure') && (
        <button type="button" className="danger" onClick={() => setConfirm(true)}>
          Delete
        </button>
      )}
      <section aria-labelledby="bindings-from">
        <h2 id="bindings-from">Bindings from this exchange</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">To</th>
              <th scope="col">Routing key</th>
              <th scope="col">Arguments</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {from.map((b) => (
              <tr key={`${b.destination_type}\n${b.destination}\n${b.routing_key}`}>
                <td>
                  {b.destination_type === 'queue' ? (
                    <Link to="/queues/$vhost/$name" params={{ vhost, name: b.destination }}>
                      queue {b.destination}
                    </Link>
                  ) : (
                    <Link to="/exchanges/$vhost/$name" params={{ vhost, name: b.destination }}>
                      exchange {b.destination}
                    </Link>
                  )}
                </td>
                <td className="mono">{b.routing_key}</td>
                <td className="mono">{JSON.stringify(b.arguments)}</td>
                <td>
                  {name !== '' && access.may(vhost, 'write') && (
                    <button type="button" onClick={() => unbind.mutate(b)}>
                      Unbind {b.destination}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {to.length > 0 && (
          <>
            <h2>Bindings to this exchange</h2>
            <ul>
              {to.map((b) => (
                <li key={`${b.source}\n${b.routing_key}`}>
                  from <Link to="/exchanges/$vhost/$name" params={{ vhost, name: b.source }}>{b.source}</Link> with key{' '}
                  <span className="mono">{b.routing_key}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {access.may(vhost, 'write') && (
        <>
          <section aria-labelledby="route">
            <h2 id="route">Where would a message go?</h2>
            <RouteDryRun vhost={vhost} exchange={param} />
          </section>
          <section aria-labelledby="publish-x">
            <h2 id="publish-x">Publish a test message</h2>
            <PublishForm vhost={vhost} exchange={name} />
          </section>
        </>
      )}
      <Confirm open={confirm} title={`Delete exchange “${name}”?`} action="Delete" onCancel={() => setConfirm(false)} onConfirm={() => remove.mutate()}>
        <p>
          Exchange “{name}” (vhost {vhost}) and its {from.length} bindings will be deleted.
        </p>
      </Confirm>
    </>
  );
}
