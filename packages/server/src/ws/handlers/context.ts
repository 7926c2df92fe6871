/** Runs a frame's work; a WarrenError it throws is tagged with the request id or publish seq, so the error reply goes where it belongs. */
import { WarrenError } from '@warren/protocol';

export function withContext<T>(context: { id?: number; seq?: number }, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof WarrenError && error.context === undefined) {
      throw new WarrenError(error.code, error.message, { cause: error.cause, context });
    }
    throw error;
  }
}
