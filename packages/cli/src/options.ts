/**
 * Parsing of flag values, checked before anything is sent: numbers, `key=value` pairs (the
 * value read as JSON when it is JSON, `x-max-length=10` is a number), and JSON files. A bad
 * value is commander's InvalidArgumentError (exit code 2, EXIT.usage).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { CliFailure, EXIT } from './exit-codes.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${value}' is not a whole number ≥ 1`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a whole number ≥ 0`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a number > 0`);
  return n;
}

/** Collects repeated `--arg key=value` flags into [key, value] pairs. */
export function pair(value: string, previous: [string, unknown][] = []): [string, unknown][] {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError(`'${value}' is not key=value`);
  const raw = value.slice(at + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Not JSON: the text as it is.
  }
  return [...previous, [value.slice(0, at), parsed]];
}

export function objectOf(pairs: [string, unknown][] | undefined): Record<string, unknown> {
  return Object.fromEntries(pairs ?? []);
}

/** A JSON file's content; a missing file or bad JSON is a usage error naming the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliFailure(EXIT.usage, `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliFailure(EXIT.usage, `${path} is not JSON: ${(error as Error).message}`);
  }
}
