/** policy.declare / delete / list: the policies of the connection's vhost, as the HTTP API manages them. */
import { parsePolicyBody, WarrenError, type PolicyDeclareFrame, type PolicyDeleteFrame, type PolicyListFrame } from '@warren/protocol';
import { policyFromBody } from '@warren/core';
import type { Session } from '../session.js';
import { policyView } from '../../http/views.js';
import { withContext } from './context.js';

export function handleDeclarePolicy(session: Session, frame: PolicyDeclareFrame): void {
  withContext({ id: frame.id }, () => {
    const vhost = session.vhost!;
    vhost.setPolicy(policyFromBody(vhost.name, frame.name, parsePolicyBody(frame.policy)));
  });
  const object = { type: 'policy' as const, vhost: session.vhost!.name, name: frame.name };
  session.broker.audit.record({ user: session.user, verified: session.verified, action: 'policy.set', object, parameters: { ...frame.policy } });
  session.reply(frame.id);
}

export function handleDeletePolicy(session: Session, frame: PolicyDeleteFrame): void {
  withContext({ id: frame.id }, () => {
    if (!session.vhost!.deletePolicy(frame.name)) throw new WarrenError('not_found', `no policy '${frame.name}' in vhost '${session.vhost!.name}'`);
  });
  session.broker.audit.record({ user: session.user, verified: session.verified, action: 'policy.delete', object: { type: 'policy', vhost: session.vhost!.name, name: frame.name } });
  session.reply(frame.id);
}

export function handleListPolicies(session: Session, frame: PolicyListFrame): void {
  session.reply(frame.id, { policies: [...session.vhost!.policies.values()].map((p) => policyView(p.record)) });
}
