/**
 * Consumer worker for RabbitMQ (forked by run-flow.ts): one amqplib connection and channel per
 * queue of the scenario, all in this process, like warren-consumer.ts. Manual-ack scenarios set
 * the channel's prefetch and ack each message as it arrives.
 */
import amqp from 'amqplib';
import { DeliveryTally } from '../delivery-tally.js';
import { answerCommands, runWorker, send } from '../ipc.js';
import { findFlowScenario } from '../scenarios.js';

runWorker(async (config, onCommand) => {
  const consume = findFlowScenario(config.scenario).consume;
  if (consume === undefined) throw new Error(`scenario '${config.scenario}' has no consumer`);
  const tally = new DeliveryTally();
  answerCommands(onCommand, tally.window, () => tally.result());
  for (const queue of consume.queues) {
    const connection = await amqp.connect(config.url);
    const channel = await connection.createChannel();
    if (!consume.noAck) await channel.prefetch(consume.prefetch);
    await channel.consume(
      queue,
      (message) => {
        // null: the broker cancelled the consumer; the missing deliveries show in the result.
        if (message === null) return;
        tally.add(message.content);
        if (!consume.noAck) channel.ack(message);
      },
      { noAck: consume.noAck },
    );
  }
  await send({ type: 'ready' });
});
