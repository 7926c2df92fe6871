/**
 * docs/internals/message-path.md names a file and a function at every stop of a message's path;
 * this keeps the page true: each cited file must exist and define each function cited in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = 'docs/internals/message-path.md';

interface Citation {
  file: string;
  name: string;
}

const PATH = /`((?:packages|apps|test|scripts)\/[^`\s]+\.(?:ts|tsx|mjs))`/g;
/** A name as the page cites it: `fn()`, `Class`, `Class.method()`, `Class.#field`. */
const NAME = /`([A-Za-z_$][\w$]*(?:\.#?[A-Za-z_$][\w$]*)?)(?:\(\))?`/g;

/** The stops of the tables (file column, name column) and the "`name()` in `file`" mentions of their text. */
function citationsOf(markdown: string): { files: string[]; citations: Citation[]; rows: number } {
  const files = [...markdown.matchAll(PATH)].map((m) => m[1] as string);
  const citations: Citation[] = [];
  let rows = 0;
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // | # | `file` | `names` | text |
    const file = /^`([^`]+)`$/.exec(cells[2] ?? '')?.[1];
    if (!/^\d+$/.test(cells[1] ?? '') || file === undefined) continue;
    rows++;
    for (const m of (cells[3] ?? '').matchAll(NAME)) citations.push({ file, name: m[1] as string });
    for (const m of (cells[4] ?? '').matchAll(/`([A-Za-z_$][\w$.#]*)\(\)` in `([^`]+)`/g)) citations.push({ file: m[2] as string, name: m[1] as string });
  }
  return { files, citations, rows };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\#]/g, '\\$&');

/** Whether `source` defines `name` (a class, a function, or a class and one of its members). */
function defines(source: string, name: string): boolean {
  const [owner, member] = name.includes('.') ? (name.split('.') as [string, string]) : [undefined, name];
  if (owner !== undefined && !new RegExp(`\\bclass ${escape(owner)}\\b`).test(source)) return false;
  const n = escape(member);
  const modifiers = '(?:(?:public|private|protected|static|readonly|async|override|get|set)\\s+)*';
  return (
    new RegExp(`\\bclass ${n}\\b`).test(source) ||
    new RegExp(`\\bfunction\\s+${n}\\s*[<(]`).test(source) ||
    new RegExp(`^\\s*${modifiers}${n}\\s*(?:[<(]|=|:)`, 'm').test(source)
  );
}

function missing(markdown: string): string[] {
  const { files, citations } = citationsOf(markdown);
  const problems: string[] = [];
  for (const file of new Set([...files, ...citations.map((c) => c.file)])) {
    if (!existsSync(join(root, file))) problems.push(`${file} does not exist`);
  }
  for (const { file, name } of citations) {
    if (!existsSync(join(root, file))) continue;
    if (!defines(readFileSync(join(root, file), 'utf8'), name)) problems.push(`${file} has no ${name}`);
  }
  return problems;
}

describe('docs/internals/message-path.md', () => {
  const page = readFileSync(join(root, PAGE), 'utf8');

  it('cites only files and functions that exist', () => {
    const { rows, citations } = citationsOf(page);
    // The three tables: a publish to the disk, its confirm, a delivery to its ack.
    expect(rows).toBeGreaterThanOrEqual(30);
    expect(citations.length).toBeGreaterThanOrEqual(40);
    expect(missing(page)).toEqual([]);
  });

  it('fails on a renamed function, a function of another class and a moved file', () => {
    const broken = [
      '| 1 | `packages/client/src/client.ts` | `Client.publishMessage()` | renamed |',
      '| 2 | `packages/client/src/client.ts` | `Publisher.publish()` | another file\'s class |',
      '| 3 | `packages/client/src/publish.ts` | `Publisher.publish()` | moved |',
      '| 4 | `packages/server/src/ws/session.ts` | `Session.receive()` | fine, but `nowhere()` in `packages/core/src/vhost.ts` |',
    ].join('\n');
    expect(missing(broken)).toEqual([
      'packages/client/src/publish.ts does not exist',
      'packages/client/src/client.ts has no Client.publishMessage',
      'packages/client/src/client.ts has no Publisher.publish',
      'packages/core/src/vhost.ts has no nowhere',
    ]);
  });
});
