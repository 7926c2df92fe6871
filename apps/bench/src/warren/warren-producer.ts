/**
 * Producer worker for Warren (forked by run-flow.ts): one @warren/client connection driven by
 * the shared ProducerLoop. Every Warren publish is confirmed; the client's promise is the answer.
 * Like amqplib's publish() returning false, `client.writable` going false stops the loop until
 * the client's `drain`, so what waits in the client stays bounded by its publish window.
 */
import WebSocket from 'ws';
import { connect, type Client } from '@warren/client';
import { answerCommands, runWorker, send } from '../ipc.js';
import { MeasureWindow } from '../measure-window.js';
import { pacingOf, ProducerLoop, type PortFactory } from '../producer-loop.js';
import type { FlowScenario } from '../scenario.js';
import { findFlowScenario } from '../scenarios.js';

function warrenPort(client: Client, scenario: FlowScenario): PortFactory {
  const options = { persistent: scenario.persistent };
  return (answer, drained) => {
    // Two closures for the whole run, not two per publish.
    const confirmed = (): void => answer(true);
    const failed = (): void => answer(false);
    client.on('drain', drained);
    return {
      publish(body, routingKey) {
        client.publish(scenario.exchange, routingKey, body, options).then(confirmed, failed);
        return client.writable;
      },
    };
  };
}

runWorker(async (config, onCommand) => {
  const scenario = findFlowScenario(config.scenario);
  const client = await connect(config.url, { WebSocket, name: 'bench-producer' });
  const window = new MeasureWindow();
  const loop = new ProducerLoop(warrenPort(client, scenario), pacingOf(scenario, 'warren'), window);
  await loop.prefill(config.prefill);
  answerCommands(onCommand, window, () => {
    loop.stop();
    return { role: 'producer', ...window.stop(), published: loop.published, failed: loop.failed };
  });
  loop.start();
  await send({ type: 'ready' });
});
