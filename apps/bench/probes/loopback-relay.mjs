// The ceiling for 64 KiB messages on this machine, with no broker and no protocol: a producer
// process writes 64 KiB buffers to a relay process over TCP on 127.0.0.1, which writes them on
// to a consumer process, all three Node, as in the bench. Prints messages/s and each process's
// user / system CPU %. Usage: node apps/bench/probes/loopback-relay.mjs
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const SIZE = 64 * 1024;
const MEASURE_MS = 5_000;
const role = process.argv[2];

if (role === 'relay') {
  let consumer;
  const server = net.createServer((socket) => {
    socket.once('data', (first) => {
      if (first[0] === 0x63) {
        consumer = socket;
        return;
      }
      socket.on('data', (chunk) => {
        if (!consumer.write(chunk)) {
          socket.pause();
          consumer.once('drain', () => socket.resume());
        }
      });
    });
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
} else if (role === 'consumer') {
  const socket = net.connect(Number(process.argv[3]), '127.0.0.1', () => socket.write('c'));
  let bytes = 0;
  socket.on('data', (chunk) => (bytes += chunk.length));
  setInterval(() => process.send(Math.floor(bytes / SIZE)), 250);
} else if (role === 'producer') {
  const socket = net.connect(Number(process.argv[3]), '127.0.0.1', () => {
    socket.write('p');
    const pump = () => {
      while (socket.writableLength < 4 * 1024 * 1024) {
        const body = Buffer.allocUnsafe(SIZE);
        body.writeDoubleLE(performance.now(), 0);
        socket.write(body);
      }
      setImmediate(pump);
    };
    setTimeout(pump, 100);
  });
} else {
  const relay = fork(process.argv[1], ['relay']);
  const port = await new Promise((resolve) => relay.once('message', resolve));
  const consumer = fork(process.argv[1], ['consumer', String(port)]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const producer = fork(process.argv[1], ['producer', String(port)]);
  const children = [relay, producer, consumer];
  let received = 0;
  consumer.on('message', (count) => (received = count));
  const cpu = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ').slice(13, 15).map(Number);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const [count0, cpu0] = [received, children.map((child) => cpu(child.pid))];
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  const [count1, cpu1] = [received, children.map((child) => cpu(child.pid))];
  const seconds = MEASURE_MS / 1000;
  const usage = ['relay', 'producer', 'consumer'].map((name, i) => `${name} ${(cpu1[i][0] - cpu0[i][0]) / seconds}/${(cpu1[i][1] - cpu0[i][1]) / seconds}`);
  console.log(`${Math.round((count1 - count0) / seconds)} msgs/s of 64 KiB; CPU % user/system: ${usage.join(', ')}`);
  for (const child of children) child.kill();
  process.exit(0);
}
