import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, isErrorCode, isWarrenError, WarrenError, type ErrorCode, type ErrorSpec } from './errors.js';

const PROTOCOL_MD = new URL('../../../docs/protocol.md', import.meta.url);

interface DocRow {
  code: string;
  replyCode: number;
  scope: string;
  closeCode: number | undefined;
  meaning: string;
}

/** The rows of the table between `<!-- errors:start -->` and `<!-- errors:end -->`. */
function documentedErrors(markdown: string): DocRow[] {
  const start = markdown.indexOf('<!-- errors:start -->');
  const end = markdown.indexOf('<!-- errors:end -->');
  if (start < 0 || end < 0 || end < start) throw new Error('docs/protocol.md has no errors:start / errors:end markers');
  const lines = markdown
    .slice(start, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'));
  const cells = (line: string): string[] =>
    line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((cell) => cell.trim());
  const [head, rule, ...rows] = lines;
  expect(cells(head ?? '').map((c) => c.toLowerCase())).toEqual(['code', 'reply code', 'scope', 'close code', 'meaning']);
  expect(cells(rule ?? '').every((c) => /^:?-+:?$/.test(c))).toBe(true);
  return rows.map((row) => {
    const [code = '', replyCode = '', scope = '', closeCode = '', meaning = ''] = cells(row);
    return {
      code: code.replace(/`/g, ''),
      replyCode: Number(replyCode),
      scope,
      closeCode: /^\d+$/.test(closeCode) ? Number(closeCode) : undefined,
      meaning,
    };
  });
}

describe('docs/protocol.md error table', () => {
  const rows = documentedErrors(readFileSync(PROTOCOL_MD, 'utf8'));
  const registry = Object.entries(ERRORS as Record<string, ErrorSpec>);

  it('lists exactly the codes of ERRORS, in the same order', () => {
    expect(rows.map((r) => r.code)).toEqual(registry.map(([code]) => code));
  });

  it('has the reply code, scope and close code of the registry for every code', () => {
    expect(rows.map(({ code, replyCode, scope, closeCode }) => ({ code, replyCode, scope, closeCode }))).toEqual(
      registry.map(([code, spec]) => ({ code, replyCode: spec.replyCode, scope: spec.scope, closeCode: spec.closeCode })),
    );
  });

  it('explains every code', () => {
    for (const row of rows) expect(row.meaning, row.code).not.toBe('');
  });

  it('gives a close code exactly to the connection-scoped codes', () => {
    for (const [code, spec] of registry) {
      expect(spec.closeCode !== undefined, code).toBe(spec.scope === 'connection');
    }
  });
});

describe('WarrenError', () => {
  it('takes reply code, scope and close code from the registry', () => {
    const e = new WarrenError('frame_malformed');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WarrenError');
    expect(e.code).toBe('frame_malformed');
    expect(e.replyCode).toBe(501);
    expect(e.scope).toBe('connection');
    expect(e.closeCode).toBe(1002);
    expect(e.message).toBe(ERRORS.frame_malformed.message);
    expect(e.context).toBeUndefined();
    expect(e.cause).toBeUndefined();
  });

  it('has no close code for an operation-scoped code', () => {
    const e = new WarrenError('queue_not_found', "no queue 'q'");
    expect(e.message).toBe("no queue 'q'");
    expect(e.replyCode).toBe(404);
    expect(e.scope).toBe('operation');
    expect(e.closeCode).toBeUndefined();
  });

  it('matches the registry for every code', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const e = new WarrenError(code);
      const spec: ErrorSpec = ERRORS[code];
      expect({ code: e.code, replyCode: e.replyCode, scope: e.scope, closeCode: e.closeCode, message: e.message }).toEqual({
        code,
        replyCode: spec.replyCode,
        scope: spec.scope,
        closeCode: spec.closeCode,
        message: spec.message,
      });
    }
  });

  it('carries the request id or publish seq it belongs to, and a cause', () => {
    const cause = new Error('disk full');
    const byId = new WarrenError('frame_invalid', 'bad', { context: { id: 7 } });
    expect(byId.context).toEqual({ id: 7 });
    const bySeq = new WarrenError('store_failed', undefined, { cause, context: { seq: 42 } });
    expect(bySeq.context).toEqual({ seq: 42 });
    expect(bySeq.cause).toBe(cause);
    expect(bySeq.message).toBe(ERRORS.store_failed.message);
  });

  it('is recognised by isWarrenError, and codes by isErrorCode', () => {
    expect(isWarrenError(new WarrenError('internal_error'))).toBe(true);
    expect(isWarrenError(new Error('x'))).toBe(false);
    expect(isWarrenError({ code: 'internal_error' })).toBe(false);
    expect(isErrorCode('queue_not_found')).toBe(true);
    expect(isErrorCode('no_such_code')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(404)).toBe(false);
  });
});
