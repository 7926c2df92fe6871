/** scheduled.list / cancel / reschedule: the connection's vhost's waiting messages, as `/api/scheduled` manages them. */
import {
  dueTime,
  DEFAULT_SCHEDULED_PAGE_SIZE,
  type ScheduledCancelFrame,
  type ScheduledListFrame,
  type ScheduledRescheduleFrame,
} from '@warren/protocol';
import type { Session } from '../session.js';
import { scheduledPageView, scheduledView } from '../../http/scheduled-views.js';
import { withContext } from './context.js';

export function handleListScheduled(session: Session, frame: ScheduledListFrame): void {
  const page = withContext({ id: frame.id }, () =>
    session.vhost!.scheduled.list({ queue: frame.queue, exchange: frame.exchange, page: frame.page ?? 1, pageSize: frame.page_size ?? DEFAULT_SCHEDULED_PAGE_SIZE }),
  );
  session.reply(frame.id, { ...scheduledPageView(page) });
}

export function handleCancelScheduled(session: Session, frame: ScheduledCancelFrame): void {
  withContext({ id: frame.id }, () => session.vhost!.scheduled.cancel(frame.scheduled_id));
  session.reply(frame.id);
}

export function handleRescheduleScheduled(session: Session, frame: ScheduledRescheduleFrame): void {
  const moved = withContext({ id: frame.id }, () => session.vhost!.scheduled.reschedule(frame.scheduled_id, dueTime(frame.due)));
  session.reply(frame.id, { scheduled: scheduledView(moved) });
}
