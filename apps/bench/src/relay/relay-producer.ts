/**
 * Producer worker of the `ws` relay probe: the shared ProducerLoop writing each stamped body as
 * one binary WebSocket message, no confirms; it stops writing while more than BUFFER_BYTES wait
 * unsent in the socket, as the Warren client does with its own buffer.
 */
import WebSocket from 'ws';
import { answerCommands, runWorker, send } from '../ipc.js';
import { MeasureWindow } from '../measure-window.js';
import { pacingOf, ProducerLoop, type PortFactory } from '../producer-loop.js';
import { findFlowScenario } from '../scenarios.js';

const BUFFER_BYTES = 4 * 1024 * 1024;

function relayPort(socket: WebSocket): PortFactory {
  return (answer, drained) => {
    let blocked = false;
    const written = (): void => {
      if (blocked && socket.bufferedAmount <= BUFFER_BYTES / 2) {
        blocked = false;
        drained();
      }
    };
    return {
      publish(body) {
        socket.send(body, { binary: true }, written);
        answer(true);
        if (socket.bufferedAmount > BUFFER_BYTES) blocked = true;
        return !blocked;
      },
    };
  };
}

runWorker(async (config, onCommand) => {
  const scenario = findFlowScenario(config.scenario);
  const socket = new WebSocket(`${config.url}/producer`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const window = new MeasureWindow();
  const loop = new ProducerLoop(relayPort(socket), pacingOf(scenario, 'ws-relay'), window);
  answerCommands(onCommand, window, () => {
    loop.stop();
    return { role: 'producer', ...window.stop(), published: loop.published, failed: loop.failed };
  });
  loop.start();
  await send({ type: 'ready' });
});
