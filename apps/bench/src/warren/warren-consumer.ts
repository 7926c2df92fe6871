/**
 * Consumer worker for Warren (forked by run-flow.ts): one @warren/client connection and one
 * consumer per queue of the scenario, all in this process, as a service with several
 * subscribers would run. Manual-ack scenarios ack each message as it arrives.
 */
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { DeliveryTally } from '../delivery-tally.js';
import { answerCommands, runWorker, send } from '../ipc.js';
import { findFlowScenario } from '../scenarios.js';

runWorker(async (config, onCommand) => {
  const consume = findFlowScenario(config.scenario).consume;
  if (consume === undefined) throw new Error(`scenario '${config.scenario}' has no consumer`);
  const tally = new DeliveryTally();
  answerCommands(onCommand, tally.window, () => tally.result());
  // prefetch 0 means no limit; with noAck the broker ignores it anyway.
  const options = { noAck: consume.noAck, prefetch: consume.noAck ? 0 : consume.prefetch };
  for (const [i, queue] of consume.queues.entries()) {
    const client = await connect(config.url, { WebSocket, name: `bench-consumer-${i}` });
    await client.consume(
      queue,
      (message) => {
        tally.add(message.body);
        if (!consume.noAck) message.ack();
      },
      options,
    );
  }
  await send({ type: 'ready' });
});
