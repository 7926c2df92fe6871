/**
 * Producer worker (forked by run-scenario.ts): publishes stamped bodies as fast as the scenario
 * allows, keeping at most `maxInFlight` publish() promises unresolved, and counts the confirms
 * that arrive during the measured window. Each confirm frees a slot that is refilled at once, so
 * the pace is set by the broker's confirms and the client's publish window, never by a timer.
 */
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { runWorker, send } from './ipc.js';
import { MeasureWindow } from './measure-window.js';
import { findScenario } from './scenarios.js';
import { stampedBody } from './stamp.js';

runWorker(async (config, onCommand) => {
  const scenario = findScenario(config.scenario);
  // `ws` given explicitly: Node 20 and Node 22 (whose global WebSocket is undici's) then measure the same transport.
  const client = await connect(config.url, { WebSocket, name: 'bench-producer' });
  const window = new MeasureWindow();
  const options = { persistent: scenario.persistent };
  let inFlight = 0;
  let confirmed = 0;
  let failed = 0;
  let stopping = false;

  const onConfirm = (): void => {
    inFlight--;
    if (window.open) confirmed++;
    fill();
  };
  const onFail = (): void => {
    inFlight--;
    failed++;
    fill();
  };
  function fill(): void {
    while (!stopping && inFlight < scenario.maxInFlight) {
      inFlight++;
      client.publish(scenario.exchange, scenario.routingKey, stampedBody(scenario.bodyBytes), options).then(onConfirm, onFail);
    }
  }

  onCommand((command) => {
    if (command.type === 'measure') window.start();
    if (command.type === 'stop') {
      stopping = true;
      const stats = window.stop();
      void send({ type: 'result', result: { role: 'producer', ...stats, confirmed, failed } }).then(() => process.exit(0));
    }
  });
  fill();
  await send({ type: 'ready' });
});
