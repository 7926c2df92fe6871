import { describe, expect, it } from 'vitest';
import { isPortClash } from './rabbit-node.js';

describe('isPortClash', () => {
  it('recognizes the boot failure of a listener whose port another process took', () => {
    const failure =
      'rabbitmq-server exited (code 0, signal null)\n--- rabbitmq-server output (last lines) ---\n' +
      'init terminating in do_boot ({error,{could_not_start_listener,127.0.0.1,36825,{{shutdown,{_}}}}})';
    expect(isPortClash(failure)).toBe(true);
    expect(isPortClash('{error,{listen_error,eaddrinuse}}')).toBe(true);
  });

  it('leaves every other failure to fail the run', () => {
    expect(isPortClash('not ready after 120 s (the AMQP port never accepted a connection)')).toBe(false);
    expect(isPortClash('rabbitmq-server exited (code 1, signal null)')).toBe(false);
  });
});
