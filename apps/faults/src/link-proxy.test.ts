import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { LinkProxy } from './link-proxy.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A target that records what each connection sends, and keeps its sockets. */
async function target(): Promise<{ server: Server; port: number; received: string[]; sockets: Socket[]; closed: string[] }> {
  const received: string[] = [];
  const sockets: Socket[] = [];
  const closed: string[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    socket.on('close', () => closed.push('closed'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as { port: number }).port, received, sockets, closed };
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  closers.push(async () => void socket.destroy());
  return socket;
}

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
};

it('drops one direction while the other flows, and delivers what waited, in order, when the cut heals', async () => {
  const far = await target();
  const cut = await LinkProxy.listen('a', 'b', far.port);
  const open = await LinkProxy.listen('a', 'b', far.port);
  closers.push(() => cut.close(), () => open.close());
  const client = await dial(cut.port);
  const witness = await dial(open.port);
  const heard: string[] = [];
  client.on('data', (chunk: Buffer) => heard.push(chunk.toString()));

  client.write('one');
  await until(() => far.received.includes('one'));
  cut.set('forth', true);
  client.write('two');
  // The witness's bytes take the same path without the cut: once they are there, 'two' would be too.
  witness.write('w');
  await until(() => far.received.includes('w'));
  expect(far.received).not.toContain('two');
  // The other direction still flows.
  far.sockets[0]!.write('back');
  await until(() => heard.includes('back'));

  cut.set('forth', false);
  await until(() => far.received.includes('two'));
  expect(far.received.filter((r) => r !== 'w').join('')).toBe('onetwo');
});

it('holds a close across a cut as it holds bytes: the far side learns of it only when the cut heals', async () => {
  const far = await target();
  const cut = await LinkProxy.listen('a', 'b', far.port);
  const open = await LinkProxy.listen('a', 'b', far.port);
  closers.push(() => cut.close(), () => open.close());
  const client = await dial(cut.port);
  const witness = await dial(open.port);
  await until(() => far.sockets.length === 2);
  cut.set('forth', true);
  client.destroy();
  witness.destroy();
  await until(() => far.closed.length === 1);
  expect(far.closed).toEqual(['closed']);
  cut.set('forth', false);
  await until(() => far.closed.length === 2);
});
