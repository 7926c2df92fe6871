/**
 * Regular expressions that come from outside (policy patterns, and any other pattern a user
 * gives to match names) run on the broker's one thread against every name they may match.
 * JavaScript's backtracking engine can take exponential time on a crafted pattern and name
 * (`^(a|a)*$` against thirty `a`s and a `b`), so they go through RE2 (re2js, a pure-JS port):
 * matching takes time linear in the name, whatever the pattern. RE2 has no backreferences and no
 * lookaround; a pattern using them is refused with RE2's message naming the construct.
 * RabbitMQ's patterns (PCRE) mean the same in the usual cases: anchors, classes, alternation,
 * repetition, `\.`, `\d`, `(?i)`.
 */
import { WarrenError } from '@warren/protocol';
import { RE2JS } from 're2js';

export interface NamePattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `name` (unanchored, like RabbitMQ's). */
  test(name: string): boolean;
}

/** Compiles `pattern`; throws WarrenError `invalid_argument` naming `what` and the construct RE2 refused. */
export function compileNamePattern(pattern: string, what: string): NamePattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.replace(/^error parsing regexp: /, '') : String(cause);
    throw new WarrenError(
      'invalid_argument',
      `${what} '${pattern}' is not a regular expression Warren can match in linear time: ${detail} (RE2 syntax: no backreferences, no lookahead or lookbehind)`,
      { cause },
    );
  }
  return { source: pattern, test: (name) => compiled.test(name) };
}
