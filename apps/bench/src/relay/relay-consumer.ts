/** Consumer worker of the `ws` relay probe: counts and times every message the relay forwards. */
import WebSocket from 'ws';
import { DeliveryTally } from '../delivery-tally.js';
import { answerCommands, runWorker, send } from '../ipc.js';

runWorker(async (config, onCommand) => {
  const tally = new DeliveryTally();
  answerCommands(onCommand, tally.window, () => tally.result());
  const socket = new WebSocket(`${config.url}/consumer`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  socket.on('message', (data: Buffer) => tally.add(data));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await send({ type: 'ready' });
});
