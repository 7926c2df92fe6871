/**
 * One queue: live depth and rates, its bindings and consumers, the effective policy with where
 * each key comes from, its arguments; publish, browse without consuming, purge and delete.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import type { BindingView } from '@warren/protocol';
import { useState } from 'react';
import type { ConsumerRow } from '../../api/cluster.js';
import { bindingsPath } from '../../api/exchanges.js';
import { enc } from '../../api/http.js';
import { deleteQueue, purgeQueue, queuePath, type QueueDetail } from '../../api/queues.js';
import { Chart } from '../../components/Chart.js';
import { Confirm } from '../../components/Confirm.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PublishForm } from '../../components/PublishForm.js';
import { useLive } from '../../live/useLive.js';
import { useAccess } from '../../session/useAccess.js';
import { DEFAULT_QUEUES_SEARCH } from '../queues/Queues.js';
import { AddBinding } from './AddBinding.js';
import { Browse } from './Browse.js';
import { EffectiveSettings } from './EffectiveSettings.js';

export function Queue() {
  const { vhost, name } = useParams({ from: '/queues/$vhost/$name' });
  const queue = useLive<QueueDetail>(queuePath(vhost, name));
  const bindings = useLive<BindingView[]>(bindingsPath(vhost));
  const consumers = useLive<ConsumerRow[]>(`/api/consumers/${enc(vhost)}`);
  const [confirm, setConfirm] = useState<'purge' | 'delete' | undefined>();
  const access = useAccess();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const act = useMutation({
    mutationFn: (what: 'purge' | 'delete') => (what === 'purge' ? purgeQueue(vhost, name) : deleteQueue(vhost, name)),
    onSuccess: (_r, what) => {
      setConfirm(undefined);
      void queryClient.invalidateQueries({ queryKey: ['api'] });
      if (what === 'delete') void navigate({ to: '/queues', search: DEFAULT_QUEUES_SEARCH });
    },
  });
  const q = queue.data;
  const stats = q?.message_stats;
  const mine = (bindings.data ?? []).filter((b) => b.destination_type === 'queue' && b.destination === name);
  const myConsumers = (consumers.data ?? []).filter((c) => c.queue.name === name && c.queue.vhost === vhost);
  return (
    <>
      <h1>
        Queue <span className="name">{name}</span>
      </h1>
      <p className="sub">vhost {vhost}</p>
      <ErrorNote error={queue.error} />
      {q !== undefined && (
        <>
          <dl className="totals">
            <div>
              <dt>Ready</dt>
              <dd data-testid="messages-ready">{q.messages_ready}</dd>
            </div>
            <div>
              <dt>Unacknowledged</dt>
              <dd data-testid="messages-unacked">{q.messages_unacknowledged}</dd>
            </div>
            <div>
              <dt>Consumers</dt>
              <dd>{q.consumers}</dd>
            </div>
            <div>
              <dt>Type</dt>
              <dd>
                {q.type}
                {q.durable ? ', durable' : ', transient'}
              </dd>
            </div>
            <div>
              <dt>Policy</dt>
              <dd>{q.policy ?? 'none'}</dd>
            </div>
          </dl>
          <div className="buttons">
            {access.may(vhost, 'read') && (
              <button type="button" onClick={() => setConfirm('purge')}>
                Purge
              </button>
            )}
            {access.may(vhost, 'configure') && (
              <button type="button" className="danger" onClick={() => setConfirm('delete')}>
                Delete
              </button>
            )}
          </div>
          <div className="charts">
            <Chart title="Depth" series={['ready', 'unacknowledged']} values={[q.messages_ready, q.messages_unacknowledged]} />
            <Chart
              title="Rates (per second)"
              series={['publish', 'deliver', 'ack']}
              values={[stats?.publish_details?.rate, stats?.deliver_get_details?.rate, stats?.ack_details?.rate]}
            />
          </div>
          <EffectiveSettings queue={q} />
        </>
      )}
      <section aria-labelledby="bindings">
        <h2 id="bindings">Bindings</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">From exchange</th>
              <th scope="col">Routing key</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((b) => (
              <tr key={`${b.source}\n${b.routing_key}`}>
                <td>
                  {b.source === '' ? (
                    '(default exchange)'
                  ) : (
                    <Link to="/exchanges/$vhost/$name" params={{ vhost, name: b.source }}>
                      {b.source}
                    </Link>
                  )}
                </td>
                <td>{b.routing_key}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {access.may(vhost, 'write') && <AddBinding vhost={vhost} queue={name} />}
      </section>
      <section aria-labelledby="consumers">
        <h2 id="consumers">Consumers</h2>
        {consumers.isError ? (
          <p>This broker does not list consumers yet (GET /api/consumers).</p>
        ) : myConsumers.length === 0 ? (
          <p>No consumers.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Connection</th>
                <th scope="col">Prefetch</th>
                <th scope="col">Unacked</th>
              </tr>
            </thead>
            <tbody>
              {myConsumers.map((c) => (
                <tr key={c.consumer_tag}>
                  <td>{c.consumer_tag}</td>
                  <td>{c.channel_details?.connection_name ?? '–'}</td>
                  <td>{c.prefetch_count ?? '–'}</td>
                  <td>{c.messages_unacknowledged ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {access.may(vhost, 'write') && (
        <section aria-labelledby="publish">
          <h2 id="publish">Publish a message</h2>
          <p>Through the default exchange, straight to this queue.</p>
          <PublishForm vhost={vhost} exchange="" routingKey={name} />
        </section>
      )}
      {access.may(vhost, 'read') && <Browse vhost={vhost} queue={name} />}
      <ErrorNote error={act.error} />
      <Confirm
        open={confirm !== undefined}
        title={confirm === 'purge' ? `Purge queue “${name}”?` : `Delete queue “${name}”?`}
        action={confirm === 'purge' ? 'Purge' : 'Delete'}
        onCancel={() => setConfirm(undefined)}
        onConfirm={() => confirm !== undefined && act.mutate(confirm)}
      >
        <p>
          {confirm === 'purge'
            ? `The ${q?.messages_ready ?? 0} ready messages of queue “${name}” (vhost ${vhost}) will be removed.`
            : `Queue “${name}” (vhost ${vhost}) and its ${q?.messages ?? 0} messages will be deleted.`}
        </p>
      </Confirm>
    </>
  );
}
