/**
 * How the client reads the broker's frame headers: a delivery's tags straight from its bytes and
 * the rest when first needed (deliver-frame.ts), a header that repeats a recent one but for a
 * number (the publish.acks) by its bytes, everything else with JSON.parse.
 */
import { RepeatedHeaders, type HeaderShortcut } from '@warren/protocol/wire';
import { readDeliverHeader } from './deliver-frame.js';
export class ServerHeaders implements HeaderShortcut {
  private readonly repeated = new RepeatedHeaders();

  match(data: Uint8Array, view: DataView, start: number, end: number): unknown {
    return readDeliverHeader(data, start, end) ?? this.repeated.match(data, view, start, end);
  }

  remember(bytes: Uint8Array, parsed: unknown): void {
    this.repeated.remember(bytes, parsed);
  }
}
