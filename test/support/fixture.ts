/** The usual end-to-end setup: one broker with one client connected, and their teardown. */
import { connect, type Client } from '@warren/client';
import type { Config } from '@warren/server';
import { startBroker, type TestBroker } from './broker.js';

export async function brokerWithClient(overrides: Partial<Config> = {}): Promise<{ broker: TestBroker; client: Client }> {
  const broker = await startBroker(overrides);
  return { broker, client: await connect(broker.url) };
}

export async function stopBoth(client: Client | undefined, broker: TestBroker | undefined): Promise<void> {
  await client?.close();
  await broker?.dispose();
}
