/**
 * Permission patterns: RabbitMQ's configure / write / read regular expressions, and the
 * wildcards of OAuth 2 scopes, compiled with re2js so that matching takes linear time whatever
 * an operator (or an imported definitions file) wrote. Each pattern is compiled once and kept.
 * As in RabbitMQ, a regex matches anywhere in the name unless anchored, and `''` is `^$`.
 */
import { RE2JS } from 're2js';
import { WarrenError } from '@warren/protocol';

export type Matcher = (name: string) => boolean;

const anything: Matcher = () => true;
const emptyOnly: Matcher = (name) => name === '';
const compiled = new Map<string, Matcher>();
/** Patterns kept compiled at most; past it the cache starts again (patterns come from operators, few in practice). */
const MAX_COMPILED = 10_000;

/** Throws WarrenError `invalid_argument` naming `field` when the pattern is not a valid RE2 regex. */
export function regexMatcher(pattern: string, field = 'pattern'): Matcher {
  const known = compiled.get(pattern);
  if (known !== undefined) return known;
  let matcher: Matcher;
  if (pattern === '.*' || pattern === '^.*$' || pattern === '^.*') matcher = anything;
  else if (pattern === '' || pattern === '^$') matcher = emptyOnly;
  else {
    let re: RE2JS;
    try {
      re = RE2JS.compile(pattern);
    } catch (cause) {
      throw new WarrenError('invalid_argument', `${field} '${pattern}' is not a valid regular expression: ${(cause as Error).message}`);
    }
    matcher = (name) => re.matcher(name).find();
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(pattern, matcher);
  return matcher;
}

/** Quotes a value (a user or vhost name) for use inside a regex, for topic permission variables. */
export function quoteRegex(value: string): string {
  return RE2JS.quote(value);
}

/** An OAuth 2 scope wildcard: `*` is any run of characters, everything else is literal (RabbitMQ's oauth2 plugin). */
export function wildcardMatcher(pattern: string): Matcher {
  if (pattern === '*') return anything;
  return regexMatcher(`^${pattern.split('*').map(quoteRegex).join('.*')}$`);
}
