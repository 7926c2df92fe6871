import { expect, test } from 'vitest';
import { toPage, type QueueListQuery, type QueueRow } from './queues.js';

const row = (name: string, ready: number) => ({ name, vhost: '/', messages_ready: ready }) as QueueRow;
const all = [row('b', 5), row('a.1', 1), row('a.2', 9), row('c', 0)];
const query = (q: Partial<QueueListQuery>): QueueListQuery => ({ page: 1, pageSize: 2, name: '', regex: false, sort: 'name', reverse: false, ...q });

test('a broker answering the whole array is paged, searched and sorted as RabbitMQ would', () => {
  expect(toPage(all, query({})).items.map((q) => q.name)).toEqual(['a.1', 'a.2']);
  expect(toPage(all, query({ page: 2 }))).toMatchObject({ page: 2, page_count: 2, filtered_count: 4, total_count: 4 });
  expect(toPage(all, query({ sort: 'messages_ready', reverse: true, pageSize: 10 })).items.map((q) => q.messages_ready)).toEqual([9, 5, 1, 0]);
  expect(toPage(all, query({ name: 'a.' })).filtered_count).toBe(2);
  expect(toPage(all, query({ name: '^[bc]$', regex: true })).items.map((q) => q.name)).toEqual(['b', 'c']);
  expect(toPage(all, query({ name: '(', regex: true })).filtered_count).toBe(0);
});

test('a paged answer is used as it is', () => {
  const paged = { items: [all[0]!], page: 3, page_size: 1, page_count: 4, item_count: 1, total_count: 4 };
  expect(toPage(paged, query({}))).toBe(paged);
});
