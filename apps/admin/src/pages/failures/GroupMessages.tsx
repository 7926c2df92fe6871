/**
 * The messages of one failure group, a page at a time: the broker browses the dead-letter queue
 * with the group's filter (reason, source queue, last error), so a page holds only the group's
 * messages, wherever they sit in the queue. Re-read when the group's count changes.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { groupKey, type FailureGroupView } from '../../api/failures.js';
import { browse } from '../../api/messages.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { MessageList } from '../queue/MessageList.js';

const PAGE = 50;

export function GroupMessages({ vhost, group }: { vhost: string; group: FailureGroupView }) {
  const [asked, setOffset] = useState(0);
  // A group that shrank (redriven, consumed) keeps its last page in view.
  const offset = Math.min(asked, Math.max(0, Math.floor((group.count - 1) / PAGE) * PAGE));
  const filter = group.filter;
  const page = useQuery({
    queryKey: ['failure-group', vhost, groupKey(group), group.count, offset],
    queryFn: () => browse(vhost, group.queue, PAGE, offset, filter ?? undefined),
    enabled: filter !== null,
    placeholderData: keepPreviousData,
  });
  if (filter === null) return <p>These messages carry no dead-letter history to filter by; browse queue {group.queue} for them.</p>;
  const last = Math.min(group.count, offset + PAGE);
  return (
    <>
      <ErrorNote error={page.error} />
      <p data-testid="group-range">{group.count === 0 ? 'No messages left.' : `Messages ${offset + 1}–${last} of ${group.count}`}</p>
      {page.data !== undefined && <MessageList messages={page.data} />}
      <nav className="pager" aria-label="Pages of the group’s messages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <button type="button" disabled={last >= group.count} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </nav>
    </>
  );
}
