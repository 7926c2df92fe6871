/**
 * Shrinks a failing history to a short one (delta debugging): drop chunks of steps, halving the
 * chunk size when no chunk can go, keeping a removal whenever the same invariant still breaks.
 * The seed stays the same, so the shrunk run replays exactly with its list of kept steps.
 */
import { runSeed, type RunOptions, type RunResult } from './world.js';

export interface Shrunk {
  readonly keep: number[];
  readonly result: RunResult;
  readonly runs: number;
}

export function shrink(failing: RunResult, options: RunOptions = {}, budget = 300): Shrunk {
  const invariant = failing.violation?.invariant;
  let keep = options.keep !== undefined ? [...options.keep] : Array.from({ length: failing.steps }, (_, i) => i);
  let result = failing;
  let runs = 0;
  let chunk = Math.max(1, Math.floor(keep.length / 2));
  while (runs < budget) {
    let removedAny = false;
    for (let at = 0; at < keep.length && runs < budget; ) {
      const candidate = [...keep.slice(0, at), ...keep.slice(at + chunk)];
      const attempt = runSeed(failing.seed, { ...options, keep: candidate });
      runs++;
      if (attempt.violation?.invariant === invariant) {
        keep = candidate;
        result = attempt;
        removedAny = true;
      } else {
        at += chunk;
      }
    }
    if (!removedAny) {
      if (chunk === 1) break;
      chunk = Math.max(1, Math.floor(chunk / 2));
    }
  }
  return { keep, result, runs };
}
