/**
 * The JSON text of a publish frame's fields, written from parts: exactly what JSON.stringify of
 * the fields object gives, in a fraction of its time on the publish hot path. Serialized at
 * publish time, so a caller mutating its headers object later cannot change the message.
 */
import { flatObjectJson, jsonString, type MessageProperties } from '@warren/protocol';

export interface PublishFields {
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  mandatory?: boolean;
  headers?: Record<string, unknown>;
  delay?: number;
}

/** A producer mostly repeats one exchange and routing key: their JSON is kept for the last pair. */
let lastExchange = '';
let lastRoutingKey = '';
let lastRoute = '{"exchange":"","routing_key":""';

export function publishFieldsJson(fields: PublishFields): string {
  if (fields.exchange !== lastExchange || fields.routingKey !== lastRoutingKey) {
    lastExchange = fields.exchange;
    lastRoutingKey = fields.routingKey;
    lastRoute = `{"exchange":${jsonString(lastExchange)},"routing_key":${jsonString(lastRoutingKey)}`;
  }
  let json = `${lastRoute},"properties":${flatObjectJson(fields.properties)}`;
  if (fields.mandatory === true) json += ',"mandatory":true';
  if (fields.headers !== undefined) json += `,"headers":${JSON.stringify(fields.headers)}`;
  if (fields.delay !== undefined) json += `,"delay":${fields.delay}`;
  return `${json}}`;
}
