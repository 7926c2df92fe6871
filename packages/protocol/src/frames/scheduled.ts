/**
 * Scheduled family: the client's way to list, cancel and reschedule the messages of its
 * connection's vhost that wait for a delay or a retry back-off, the same operations as
 * `/api/scheduled/{vhost}` (docs/scheduled.md). The view, the page and the due-time rules are
 * the management API's (http/scheduled.ts), so both paths answer alike.
 */
import { request, str, type JsonSchema } from './schema.js';
import { DUE_SCHEMA, PAGE_SCHEMA, PAGE_SIZE_SCHEMA } from '../http/scheduled.js';

/** Answered by `ok` with the fields of a ScheduledPageView. */
export interface ScheduledListFrame {
  type: 'scheduled.list';
  id: number;
  queue?: string;
  exchange?: string;
  page?: number;
  page_size?: number;
}

/** Answered by `ok {}` once the removal is on disk. */
export interface ScheduledCancelFrame {
  type: 'scheduled.cancel';
  id: number;
  /** The scheduled message's id (`id` is the request's). */
  scheduled_id: string;
}

/** Answered by `ok { scheduled: ScheduledView }` once the new due time is on disk. */
export interface ScheduledRescheduleFrame {
  type: 'scheduled.reschedule';
  id: number;
  scheduled_id: string;
  /** ms since the epoch, or an ISO 8601 date-time with a zone; a time already past fires it now. */
  due: number | string;
}

export const scheduledSchemas: Record<string, JsonSchema> = {
  'scheduled.list': request('scheduled.list', { queue: str(), exchange: str(), page: PAGE_SCHEMA, page_size: PAGE_SIZE_SCHEMA }),
  'scheduled.cancel': request('scheduled.cancel', { scheduled_id: str() }, ['scheduled_id']),
  'scheduled.reschedule': request('scheduled.reschedule', { scheduled_id: str(), due: DUE_SCHEMA }, ['scheduled_id', 'due']),
};
