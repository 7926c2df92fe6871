/** @warren/client: a typed client for the Warren broker, for browsers and Node. */
export { connect, type Client, type ConnectOptions, type PublishOptions } from './client.js';
export type { Consumer, MessageHandler } from './consumer.js';
export type { BlockedEvent, ClientEvent, ClientEvents, DisconnectedEvent, FailedEvent, ReconnectedEvent, ReconnectingEvent } from './client-events.js';
export type { ConnectionState } from './connection-states.js';
export type { ReconnectOptions } from './backoff.js';
export type { ConsumeOptions } from './consumers.js';
export type { BrowsedMessage, BrowseOptions } from './browse.js';
export type { Attempt, Message } from './message.js';
export type { ScheduledListOptions, ScheduledMessage, ScheduledMessages, ScheduledPage } from './scheduled.js';
export type { Properties, PublishProperties } from './properties.js';
export type { PublishReceipt } from './publisher.js';
export type { PublishBody } from './body.js';
export type { WebSocketConstructor, WebSocketLike } from './transport.js';
export type { TokenProvider } from './token-refresh.js';
export { MessageReturnedError, PublishNackedError } from './errors.js';
export { WarrenError, isWarrenError, type ErrorCode, type ExchangeType } from '@warren/protocol/wire';
export type { PolicyBody, PolicyView } from '@warren/protocol/http';
