/**
 * The client's typed errors. Every error is a WarrenError from the protocol's registry, so
 * callers branch on `code`; the two subclasses add what a failed publish needs to be handled.
 */
import { isErrorCode, WarrenError } from '@warren/protocol/wire';

/**
 * A WarrenError for a code received from the server. A code this client does not know (a newer
 * server) becomes `internal_error`, keeping the raw code in the message.
 */
export function errorFromWire(code: string, message: string, context?: { id?: number; seq?: number }): WarrenError {
  const options = context === undefined ? undefined : { context };
  if (isErrorCode(code)) return new WarrenError(code, message, options);
  return new WarrenError('internal_error', `${code}: ${message}`, options);
}

/** The broker refused a publish (`publish.nack`); `code` says why. */
export class PublishNackedError extends WarrenError {
  constructor(
    readonly seq: number,
    code: string,
    message: string,
  ) {
    const wire = errorFromWire(code, message);
    super(wire.code, wire.message, { context: { seq } });
    this.name = 'PublishNackedError';
  }
}

/** A mandatory publish reached no queue (`publish.return`); the broker gave the message back. */
export class MessageReturnedError extends WarrenError {
  override readonly replyCode: number;

  constructor(
    readonly seq: number,
    readonly exchange: string,
    readonly routingKey: string,
    replyCode: number,
    message: string,
  ) {
    super('unroutable', message, { context: { seq } });
    this.name = 'MessageReturnedError';
    this.replyCode = replyCode;
  }
}
