import { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import { ClientEventHub } from './client-events.js';
import { ConnectionStates, type ConnectionState } from './connection-states.js';

const lost = new WarrenError('internal_error', 'connection closed (WebSocket close code 1006)');

function machine(): { states: ConnectionStates; heard: string[] } {
  const events = new ClientEventHub();
  const heard: string[] = [];
  events.on('disconnected', ({ url }) => heard.push(`disconnected ${url}`));
  events.on('reconnecting', ({ url, attempt }) => heard.push(`reconnecting ${url} #${attempt}`));
  events.on('reconnected', ({ url, attempts, renamedQueues }) => heard.push(`reconnected ${url} after ${attempts} ${JSON.stringify(renamedQueues)}`));
  events.on('failed', ({ error }) => heard.push(`failed ${error.code}`));
  return { states: new ConnectionStates('ws://a', events), heard };
}

describe('connection states', () => {
  it('goes open → disconnected → reconnecting → open and tells listeners each step', () => {
    const { states, heard } = machine();
    expect(states.current).toEqual({ state: 'open', url: 'ws://a' });
    states.set({ state: 'disconnected', url: 'ws://a', error: lost });
    states.set({ state: 'reconnecting', url: 'ws://b', attempt: 1, delay: 10 });
    states.set({ state: 'reconnecting', url: 'ws://a', attempt: 2, delay: 30 });
    states.set({ state: 'open', url: 'ws://a' }, { 'amq.gen-1': 'amq.gen-2' });
    expect(heard).toEqual(['disconnected ws://a', 'reconnecting ws://b #1', 'reconnecting ws://a #2', 'reconnected ws://a after 2 {"amq.gen-1":"amq.gen-2"}']);
  });

  it('refuses changes the machine does not have, and none after failed or closed', () => {
    const { states } = machine();
    expect(() => states.set({ state: 'reconnecting', url: 'ws://a', attempt: 1, delay: 0 })).toThrow(/open cannot become reconnecting/);
    expect(() => states.set({ state: 'open', url: 'ws://a' })).toThrow();
    states.set({ state: 'disconnected', url: 'ws://a', error: lost });
    expect(() => states.set({ state: 'open', url: 'ws://a' })).toThrow(/disconnected cannot become open/);
    states.set({ state: 'failed', error: new WarrenError('reconnect_failed') });
    expect(states.final).toBe(true);
    expect(() => states.set({ state: 'closed' })).toThrow();
  });

  it('feeds every iterator the changes after its creation, in order, and ends it after a final state', async () => {
    const { states } = machine();
    const early = states.changes();
    const pending = early.next();
    states.set({ state: 'disconnected', url: 'ws://a', error: lost });
    const late = states.changes();
    states.set({ state: 'reconnecting', url: 'ws://b', attempt: 1, delay: 5 });
    states.set({ state: 'closed' });
    expect((await pending).value).toMatchObject({ state: 'disconnected' });
    const rest = async (iterator: AsyncIterableIterator<ConnectionState>) => {
      const seen: string[] = [];
      for await (const change of iterator) seen.push(change.state);
      return seen;
    };
    expect(await rest(early)).toEqual(['reconnecting', 'closed']);
    expect(await rest(late)).toEqual(['reconnecting', 'closed']);
    // Made after the end: done at once.
    expect(await states.changes().next()).toEqual({ done: true, value: undefined });
  });

  it('lets a loop leave early without keeping anything', async () => {
    const { states } = machine();
    const iterator = states.changes();
    const waiting = iterator.next();
    await iterator.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    states.set({ state: 'disconnected', url: 'ws://a', error: lost });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});
