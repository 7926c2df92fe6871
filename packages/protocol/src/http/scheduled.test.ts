import { describe, expect, it } from 'vitest';
import '../validation.js';
import { WarrenError } from '../errors.js';
import { parseClientFrame } from '../validate.js';
import { MAX_DUE, parseRescheduleBody, parseScheduledListQuery } from './scheduled.js';

function refused(work: () => unknown): WarrenError {
  try {
    work();
  } catch (error) {
    if (error instanceof WarrenError) return error;
    throw error;
  }
  throw new Error('expected a WarrenError');
}

describe('parseRescheduleBody', () => {
  it('takes ms since the epoch, or an ISO 8601 date-time with a zone', () => {
    expect(parseRescheduleBody({ due: 0 })).toBe(0);
    expect(parseRescheduleBody({ due: 1_900_000_000_000 })).toBe(1_900_000_000_000);
    expect(parseRescheduleBody({ due: '2030-01-31T12:00:00Z' })).toBe(Date.UTC(2030, 0, 31, 12));
    expect(parseRescheduleBody({ due: '2030-01-31T13:00:00.250+01:00' })).toBe(Date.UTC(2030, 0, 31, 12, 0, 0, 250));
    expect(parseRescheduleBody({ due: MAX_DUE })).toBe(MAX_DUE);
  });

  it('refuses a missing, mistyped, out-of-range or zone-less due time with invalid_argument naming it', () => {
    const cases: Array<[unknown, string]> = [
      [{}, "field 'due' is required"],
      [undefined, 'the body must be a JSON object'],
      [{ due: true }, "field 'due'"],
      [{ due: null }, "field 'due'"],
      [{ due: -1 }, "field 'due' = -1"],
      [{ due: 1.5 }, "field 'due' = 1.5"],
      [{ due: MAX_DUE + 1 }, "field 'due'"],
      [{ due: 'tomorrow' }, 'due = "tomorrow": must be ms since the epoch or an ISO 8601 date-time'],
      [{ due: '2030-01-31T12:00:00' }, 'due = "2030-01-31T12:00:00"'],
      [{ due: '2030-13-31T12:00:00Z' }, 'due = "2030-13-31T12:00:00Z"'],
      [{ due: '1000' }, 'due = "1000"'],
      [{ due: 1, when: 2 }, "field 'when' = 2: unknown key (known: due)"],
    ];
    for (const [body, reason] of cases) {
      const error = refused(() => parseRescheduleBody(body));
      expect(error.code, JSON.stringify(body)).toBe('invalid_argument');
      expect(error.message, JSON.stringify(body)).toContain(reason);
    }
  });
});

describe('parseScheduledListQuery', () => {
  it('fills in page 1 and 100 per page, and keeps the filters', () => {
    expect(parseScheduledListQuery({})).toEqual({ page: 1, pageSize: 100 });
    expect(parseScheduledListQuery(undefined)).toEqual({ page: 1, pageSize: 100 });
    expect(parseScheduledListQuery({ queue: 'jobs', page: '3', page_size: '500' })).toEqual({ queue: 'jobs', page: 3, pageSize: 500 });
    expect(parseScheduledListQuery({ exchange: '' })).toEqual({ exchange: '', page: 1, pageSize: 100 });
  });

  it('refuses bad paging values and unknown parameters with invalid_argument naming them', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ page: '0' }, "query parameter 'page' = \"0\": must be a whole number from 1"],
      [{ page: 'abc' }, "query parameter 'page' = \"abc\""],
      [{ page: '-1' }, "query parameter 'page'"],
      [{ page: '1.5' }, "query parameter 'page'"],
      [{ page: '' }, "query parameter 'page'"],
      [{ page_size: '501' }, "query parameter 'page_size' = \"501\": must be a whole number from 1 to 500"],
      [{ page_size: '0' }, "query parameter 'page_size'"],
      [{ page: ['1', '2'] }, "query parameter 'page'"],
      [{ pagesize: '10' }, "query parameter 'pagesize' = \"10\": unknown key"],
    ];
    for (const [query, reason] of cases) {
      const error = refused(() => parseScheduledListQuery(query));
      expect(error.code, JSON.stringify(query)).toBe('invalid_argument');
      expect(error.message, JSON.stringify(query)).toContain(reason);
    }
  });
});

describe('scheduled.* frames', () => {
  const parse = (header: Record<string, unknown>) => parseClientFrame({ header, body: new Uint8Array(0) });

  it('refuses bad fields with frame_invalid naming the field, keeping the request id', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'scheduled.list', id: 4, page: 0 }, 'page'],
      [{ type: 'scheduled.list', id: 4, page_size: 501 }, 'page_size'],
      [{ type: 'scheduled.list', id: 4, queue: 5 }, 'queue'],
      [{ type: 'scheduled.cancel', id: 4 }, 'scheduled_id'],
      [{ type: 'scheduled.reschedule', id: 4, scheduled_id: 's' }, 'due'],
      [{ type: 'scheduled.reschedule', id: 4, scheduled_id: 's', due: -5 }, 'due'],
      [{ type: 'scheduled.reschedule', id: 4, scheduled_id: 's', due: false }, 'due'],
    ];
    for (const [header, field] of cases) {
      const error = refused(() => parse(header));
      expect(error.code, JSON.stringify(header)).toBe('frame_invalid');
      expect(error.message, JSON.stringify(header)).toContain(field);
      expect(error.context?.id).toBe(4);
    }
  });
});
