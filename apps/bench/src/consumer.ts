/**
 * Consumer worker (forked by run-scenario.ts): one connection and one consumer per queue of the
 * scenario, all in this process, as a service with several subscribers would run. Counts
 * deliveries and samples end-to-end latency during the measured window only, so warm-up and
 * shutdown do not blur the numbers. Manual-ack scenarios ack each message as it arrives.
 */
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { runWorker, send } from './ipc.js';
import { Reservoir } from './latency.js';
import { MeasureWindow } from './measure-window.js';
import { findScenario } from './scenarios.js';
import { ageMs } from './stamp.js';

runWorker(async (config, onCommand) => {
  const scenario = findScenario(config.scenario);
  const window = new MeasureWindow();
  const latencies = new Reservoir();
  let delivered = 0;

  onCommand((command) => {
    if (command.type === 'measure') window.start();
    if (command.type === 'stop') {
      const stats = window.stop();
      void send({ type: 'result', result: { role: 'consumer', ...stats, delivered, latency: latencies.summary() } }).then(() => process.exit(0));
    }
  });

  const options = { noAck: scenario.noAck, prefetch: scenario.noAck ? 0 : scenario.prefetch };
  for (const [i, queue] of scenario.queues.entries()) {
    // `ws` given explicitly for the same reason as in producer.ts.
    const client = await connect(config.url, { WebSocket, name: `bench-consumer-${i}` });
    await client.consume(
      queue,
      (message) => {
        if (window.open) {
          delivered++;
          latencies.add(ageMs(message.body));
        }
        if (!scenario.noAck) message.ack();
      },
      options,
    );
  }
  await send({ type: 'ready' });
});
