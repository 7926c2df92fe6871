/**
 * Connections worker for RabbitMQ (forked by run-connections.ts): opens `connections` idle
 * amqplib connections with one channel each (what an AMQP client needs before it can do
 * anything), reports ready, and holds them until told to stop.
 */
import amqp, { type ChannelModel } from 'amqplib';
import { answerCommands, runWorker, send } from '../ipc.js';
import { MeasureWindow } from '../measure-window.js';
import { openInBatches } from '../open-in-batches.js';

runWorker(async (config, onCommand) => {
  const window = new MeasureWindow();
  const connections: ChannelModel[] = [];
  await openInBatches(config.connections, async () => {
    const connection = await amqp.connect(config.url);
    await connection.createChannel();
    connections.push(connection);
  });
  answerCommands(onCommand, window, () => ({ role: 'connections', ...window.stop(), opened: connections.length }));
  await send({ type: 'ready' });
});
