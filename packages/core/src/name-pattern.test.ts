import { describe, expect, it } from 'vitest';
import { compileNamePattern } from './name-pattern.js';

// Patterns and names that take a backtracking engine seconds or longer (issue 19, part 3).
const HOSTILE = ['^(a|a)*$', '^(a+)+$', '^(a|aa)+$', '(x+x+)+y', '^(\\w+\\s?)*$', '(.*a){12}'];
const NAMES = ['a'.repeat(254) + 'b', 'a'.repeat(32) + '!', 'x'.repeat(255), `${'ab'.repeat(127)}!`, 'a '.repeat(127) + '!'];

describe('name patterns', () => {
  it('mean what RabbitMQ patterns usually mean: unanchored, anchors, classes, alternation, (?i)', () => {
    const cases: [string, string, boolean][] = [
      ['orders', 'old.orders.x', true],
      ['^orders\\.', 'orders.eu', true],
      ['^orders\\.', 'old.orders.x', false],
      ['^(eu|us)-\\d+$', 'us-42', true],
      ['(?i)^ORDERS', 'orders', true],
      ['.*', '', true],
    ];
    for (const [pattern, name, expected] of cases) expect(compileNamePattern(pattern, 'policy pattern').test(name), `${pattern} ~ ${name}`).toBe(expected);
  });

  it('match every hostile pattern against every long adversarial name in well under a millisecond each', () => {
    let worst = 0;
    for (const pattern of HOSTILE) {
      const compiled = compileNamePattern(pattern, 'policy pattern');
      for (const name of NAMES) {
        compiled.test(name);
        // The worst of ten tries, each alone: one GC pause must not count, a slow engine would.
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 10; i++) {
          const start = performance.now();
          compiled.test(name);
          best = Math.min(best, performance.now() - start);
        }
        worst = Math.max(worst, best);
      }
    }
    expect(worst).toBeLessThan(1);
  });

  it('refuse what RE2 lacks, naming the construct and the setting', () => {
    expect(() => compileNamePattern('^(?=a)', 'policy pattern')).toThrow(/policy pattern '\^\(\?=a\)'.*`\(\?=`/);
    expect(() => compileNamePattern('(?<=a)b', 'policy pattern')).toThrow(/`\(\?<=a\)b`/);
    expect(() => compileNamePattern('(a)\\1', 'policy pattern')).toThrow(/`\\1`/);
    expect(() => compileNamePattern('(', 'policy pattern')).toThrow(/missing closing \)/);
  });
});
