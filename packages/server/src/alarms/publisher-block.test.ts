import { describe, expect, it } from 'vitest';
import { PublisherBlock } from './publisher-block.js';

function setup() {
  const events: unknown[] = [];
  const block = new PublisherBlock({ pause: () => events.push('pause'), resume: () => events.push('resume') }, (frame) => events.push(frame));
  return { events, block };
}

describe('PublisherBlock', () => {
  it('leaves a connection that has not published alone while an alarm is up', () => {
    const { events, block } = setup();
    block.alarmsChanged(['memory']);
    block.alarmsChanged([]);
    expect(events).toEqual([]);
    expect(block.isBlocked).toBe(false);
  });

  it('blocks a connection at its first publish under an alarm, with the reason', () => {
    const { events, block } = setup();
    block.alarmsChanged(['disk']);
    block.published();
    expect(events).toEqual(['pause', { type: 'connection.blocked', reason: 'disk' }]);
    expect(block.isBlocked).toBe(true);
  });

  it('blocks a connection that has published when an alarm rises, once for several alarms', () => {
    const { events, block } = setup();
    block.published();
    block.alarmsChanged(['memory']);
    block.alarmsChanged(['memory', 'disk']);
    block.alarmsChanged(['disk']);
    expect(events).toEqual(['pause', { type: 'connection.blocked', reason: 'memory' }]);
  });

  it('unblocks when every alarm has cleared: the frame first, then reading', () => {
    const { events, block } = setup();
    block.published();
    block.alarmsChanged(['memory', 'disk']);
    events.length = 0;
    block.alarmsChanged([]);
    expect(events).toEqual([{ type: 'connection.unblocked' }, 'resume']);
    expect(block.isBlocked).toBe(false);
  });
});
