/** Picks the routing rule for an exchange type; the one place that maps a type to a Router. */
import type { ExchangeType } from '@warren/protocol';
import { DirectRouter } from './direct.js';
import { FanoutRouter } from './fanout.js';
import { HeadersRouter } from './headers.js';
import type { Router } from './router.js';
import { TopicRouter } from './topic.js';

export function createRouter<T>(type: ExchangeType): Router<T> {
  switch (type) {
    case 'direct':
      return new DirectRouter<T>();
    case 'fanout':
      return new FanoutRouter<T>();
    case 'topic':
      return new TopicRouter<T>();
    case 'headers':
      return new HeadersRouter<T>();
  }
}
