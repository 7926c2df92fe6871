/** Dead-lettered messages grouped by the broker, with exact counts (`GET /api/failures/{vhost}`). */
import type { FailureGroupView, FailuresView } from '@warren/protocol';
import { enc } from './http.js';

export type { FailureGroupView, FailuresView };

export const failuresPath = (vhost: string): string => `/api/failures/${enc(vhost)}`;

/** One group's identity on the page: its queue and the three keys it is grouped by. */
export const groupKey = (g: FailureGroupView): string => JSON.stringify([g.queue, g.reason, g.source_queue, g.last_error]);
