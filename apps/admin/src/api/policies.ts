/** Policies over the management API: list, save (with the dry run first), delete. */
import type { PolicyBody, PolicyDryRunResult } from '@warren/protocol';
import { api, objectPath } from './http.js';

export const policyPath = (vhost: string, name: string): string => objectPath('policies', vhost, name);
export const policyDryRun = (vhost: string, name: string, body: PolicyBody) =>
  api<PolicyDryRunResult>('PUT', `${policyPath(vhost, name)}?dry_run=true`, body);
export const savePolicy = (vhost: string, name: string, body: PolicyBody) => api<void>('PUT', policyPath(vhost, name), body);
export const deletePolicy = (vhost: string, name: string) => api<void>('DELETE', policyPath(vhost, name));
