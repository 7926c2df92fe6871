/**
 * Length limits (RabbitMQ's x-max-length, x-max-length-bytes): counted over ready messages,
 * never the unacked ones. `isFull` decides whether a reject-publish queue refuses a message;
 * `isOver` whether a drop-head queue must drop its oldest.
 */
import type { QueueSettings } from './settings.js';

/** Would the queue, with this many ready messages and `bytesWithNew` bytes once the new one is in, refuse it? */
export function isFull(settings: QueueSettings, count: number, bytesWithNew: number): boolean {
  const { maxLength, maxLengthBytes } = settings;
  return (maxLength !== undefined && count >= maxLength) || (maxLengthBytes !== undefined && bytesWithNew > maxLengthBytes);
}

export function isOver(settings: QueueSettings, count: number, bytes: number): boolean {
  const { maxLength, maxLengthBytes } = settings;
  return (maxLength !== undefined && count > maxLength) || (maxLengthBytes !== undefined && bytes > maxLengthBytes);
}
