import { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import * as client from './index.js';

describe('the public surface', () => {
  it('exports connect, the typed errors and nothing else at runtime', () => {
    expect(Object.keys(client).sort()).toEqual(['MessageReturnedError', 'PublishNackedError', 'WarrenError', 'connect', 'isWarrenError']);
    expect(new client.PublishNackedError(1, 'store_failed', 'disk full')).toBeInstanceOf(WarrenError);
    expect(new client.MessageReturnedError(1, 'x', 'k', 312, 'NO_ROUTE')).toBeInstanceOf(client.WarrenError);
  });
});
