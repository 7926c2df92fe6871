/**
 * The JSON text of a publish frame's fields, written from parts: exactly what JSON.stringify of
 * the fields object gives, in a fraction of its time on the publish hot path. Serialized at
 * publish time, so a caller mutating its headers object later cannot change the message.
 */
import { flatObjectJson, routeJson, type MessageProperties } from '@warren/protocol/wire';

export interface PublishFields {
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  mandatory?: boolean;
  headers?: Record<string, unknown>;
  delay?: number;
}

export function publishFieldsJson(fields: PublishFields): string {
  let json = `{${routeJson(fields.exchange, fields.routingKey)},"properties":${flatObjectJson(fields.properties)}`;
  if (fields.mandatory === true) json += ',"mandatory":true';
  if (fields.headers !== undefined) json += `,"headers":${JSON.stringify(fields.headers)}`;
  if (fields.delay !== undefined) json += `,"delay":${fields.delay}`;
  return `${json}}`;
}
