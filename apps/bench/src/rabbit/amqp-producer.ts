/**
 * Producer worker for RabbitMQ (forked by run-flow.ts): one amqplib connection and channel
 * driven by the shared ProducerLoop. A confirm channel where the scenario's pace asks for
 * confirms; otherwise a plain channel, each publish answered as soon as amqplib takes it, and
 * the pace set by the socket (amqplib's publish() returns false until the channel's 'drain').
 */
import amqp, { type Channel, type ConfirmChannel } from 'amqplib';
import { answerCommands, runWorker, send } from '../ipc.js';
import { MeasureWindow } from '../measure-window.js';
import { pacingOf, ProducerLoop, type PortFactory } from '../producer-loop.js';
import type { FlowScenario } from '../scenario.js';
import { findFlowScenario } from '../scenarios.js';

function confirmingPort(channel: ConfirmChannel, scenario: FlowScenario): PortFactory {
  const options = { persistent: scenario.persistent };
  return (answer, drained) => {
    channel.on('drain', drained);
    const confirmed = (error: unknown): void => answer(error === null || error === undefined);
    return { publish: (body, routingKey) => channel.publish(scenario.exchange, routingKey, body, options, confirmed) };
  };
}

function fireAndForgetPort(channel: Channel, scenario: FlowScenario): PortFactory {
  const options = { persistent: scenario.persistent };
  return (answer, drained) => {
    channel.on('drain', drained);
    return {
      publish(body, routingKey) {
        const writable = channel.publish(scenario.exchange, routingKey, body, options);
        answer(true);
        return writable;
      },
    };
  };
}

runWorker(async (config, onCommand) => {
  const scenario = findFlowScenario(config.scenario);
  const connection = await amqp.connect(config.url);
  const port =
    scenario.pace.kind === 'unbounded'
      ? fireAndForgetPort(await connection.createChannel(), scenario)
      : confirmingPort(await connection.createConfirmChannel(), scenario);
  const window = new MeasureWindow();
  const loop = new ProducerLoop(port, pacingOf(scenario, 'rabbitmq'), window);
  await loop.prefill(config.prefill);
  answerCommands(onCommand, window, () => {
    loop.stop();
    return { role: 'producer', ...window.stop(), published: loop.published, failed: loop.failed };
  });
  loop.start();
  await send({ type: 'ready' });
});
