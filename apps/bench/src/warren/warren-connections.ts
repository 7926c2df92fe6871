/**
 * Connections worker for Warren (forked by run-connections.ts): opens `connections` idle
 * @warren/client connections, reports ready, and holds them until told to stop.
 */
import WebSocket from 'ws';
import { connect, type Client } from '@warren/client';
import { answerCommands, runWorker, send } from '../ipc.js';
import { MeasureWindow } from '../measure-window.js';
import { openInBatches } from '../open-in-batches.js';

runWorker(async (config, onCommand) => {
  const window = new MeasureWindow();
  const clients: Client[] = [];
  await openInBatches(config.connections, async (i) => {
    clients.push(await connect(config.url, { WebSocket, name: `bench-idle-${i}` }));
  });
  answerCommands(onCommand, window, () => ({ role: 'connections', ...window.stop(), opened: clients.length }));
  await send({ type: 'ready' });
});
