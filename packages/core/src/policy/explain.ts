/**
 * Explaining a queue's effective settings: for every setting in effect, its value and where it
 * comes from (the queue's `x-` argument, a policy by name, or the default). The values are
 * settings.ts's own, so the explanation cannot drift from what the queue does; this file only
 * names their source, and a setting added there is explained here without a change. Keys are
 * spelt as policy keys (`message-ttl`, `retry-max-attempts`), as `effective_settings` is.
 */
import type { EffectiveArgument, EffectiveArguments, SettingSource } from '@warren/protocol';
import { canonicalJson } from '../canonical.js';
import type { Table } from '../message.js';
import { DEFAULT_RETRY, queueSettings } from '../queue/settings.js';
import type { MergedPolicy } from './merge.js';

const RETRY_FIELDS = ['delays', ...Object.keys(DEFAULT_RETRY)];
const ARGUMENT: SettingSource = { type: 'argument' };
const DEFAULT: SettingSource = { type: 'default' };

export function explainQueueSettings(args: Table, merged: MergedPolicy): EffectiveArguments {
  const { retry, ...settings } = queueSettings(args, merged.definition);
  const out: EffectiveArguments = {};
  const fromPolicy = (key: string): SettingSource => ({ type: 'policy', name: merged.sources.get(key) as string });
  for (const [field, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    const key = policyKey(field);
    // Where argument and policy agree (the smaller of two equal limits), the argument is named.
    const source = same(value, args[`x-${key}`]) ? ARGUMENT : same(value, merged.definition[key]) ? fromPolicy(key) : DEFAULT;
    out[key] = { value, source };
  }
  if (retry !== undefined) {
    // settings.ts takes the retry keys all from the arguments when any x-retry-* is set, else all from the policy.
    const fromArgs = RETRY_FIELDS.some((field) => args[`x-retry-${policyKey(field)}`] !== undefined);
    for (const [field, value] of Object.entries(retry)) {
      if (value === undefined) continue;
      const key = `retry-${policyKey(field)}`;
      const set = fromArgs ? args[`x-${key}`] !== undefined : merged.definition[key] !== undefined;
      out[key] = { value, source: !set ? DEFAULT : fromArgs ? ARGUMENT : fromPolicy(key) };
    }
  }
  return out;
}

/** Whether two explanations of one key say the same (value and source). */
export function sameEffect(a: EffectiveArgument | undefined, b: EffectiveArgument | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** `maxLengthBytes` → `max-length-bytes`: a settings field as its policy key (x-argument without the `x-`). */
function policyKey(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function same(value: unknown, candidate: unknown): boolean {
  return candidate !== undefined && canonicalJson(value) === canonicalJson(candidate);
}
