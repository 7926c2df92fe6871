/** What the broker is doing now: live rates and queued messages, totals, nodes and alarms. */
import type { Overview as OverviewView } from '../../api/cluster.js';
import { Chart } from '../../components/Chart.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useLive } from '../../live/useLive.js';
import { Alarms, NodeTable } from '../nodes/Nodes.js';

export function Overview() {
  const overview = useLive<OverviewView>('/api/overview');
  const o = overview.data;
  const stats = o?.message_stats;
  const ready = o?.queue_totals.messages_ready;
  const unacked = o?.queue_totals.messages_unacknowledged;
  return (
    <>
      <h1>Overview</h1>
      <ErrorNote error={overview.error} />
      {o !== undefined && (
        <dl className="totals">
          <div>
            <dt>Queued messages</dt>
            <dd data-testid="total-messages">{o.queue_totals.messages ?? o.queue_totals.messages_ready}</dd>
          </div>
          <div>
            <dt>Queues</dt>
            <dd>{o.object_totals.queues}</dd>
          </div>
          <div>
            <dt>Connections</dt>
            <dd>{o.object_totals.connections}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>
              {o.product_name} {o.product_version}
            </dd>
          </div>
        </dl>
      )}
      <div className="charts">
        <Chart
          title="Message rates (per second)"
          series={['publish', 'deliver', 'ack']}
          values={[stats?.publish_details?.rate, stats?.deliver_get_details?.rate, stats?.ack_details?.rate]}
        />
        <Chart title="Queued messages" series={['ready', 'unacknowledged']} values={[ready, unacked]} />
      </div>
      <h2>Alarms</h2>
      {o !== undefined && <Alarms node={o} />}
      <h2>Nodes</h2>
      <NodeTable />
    </>
  );
}
