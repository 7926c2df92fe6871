import { describe, expect, it } from 'vitest';
import { parseListQuery, WarrenError } from '@warren/protocol';
import { listPage, type Listing } from './list-page.js';

interface Item {
  name: string;
  n: number;
  nested?: { rate: number };
}

const items: Item[] = [
  { name: 'b', n: 2, nested: { rate: 0.5 } },
  { name: 'a', n: 3 },
  { name: 'C', n: 1, nested: { rate: 2 } },
];

let views = 0;
const listing = (sortKey?: Listing<Item, Item>['sortKey']): Listing<Item, Item> => ({
  objects: items,
  nameOf: (i) => i.name,
  view: (i) => {
    views++;
    return i;
  },
  sortKey,
});

describe('listPage', () => {
  it('answers the plain list without page, sorted by name', () => {
    expect(listPage(listing(), parseListQuery({}))).toEqual([items[2], items[1], items[0]]);
  });

  it('sorts by a nested field, missing values first, and builds views only for the page when sortKey reads the field', () => {
    const byRate = listPage(listing(), parseListQuery({ sort: 'nested.rate' })) as Item[];
    expect(byRate.map((i) => i.name)).toEqual(['a', 'b', 'C']);
    views = 0;
    const paged = listPage(listing((path) => (path[0] === 'n' ? (i) => i.n : undefined)), parseListQuery({ sort: 'n', sort_reverse: 'true', page: '1', page_size: '2' }));
    expect(paged).toMatchObject({ items: [{ name: 'a' }, { name: 'b' }], page: 1, page_count: 2, page_size: 2, filtered_count: 3, item_count: 2, total_count: 3 });
    expect(views).toBe(2);
  });

  it('filters by substring or RE2 regex, ignoring case, and picks columns', () => {
    expect(listPage(listing(), parseListQuery({ name: 'c', columns: 'name,nested.rate' }))).toEqual([{ name: 'C', nested: { rate: 2 } }]);
    expect((listPage(listing(), parseListQuery({ name: '^[ab]$', use_regex: true })) as Item[]).map((i) => i.name)).toEqual(['a', 'b']);
  });

  it('refuses a pattern RE2 cannot compile, such as a backreference', () => {
    expect(() => listPage(listing(), parseListQuery({ name: '(a)\\1', use_regex: 'true' }))).toThrow(WarrenError);
  });
});
