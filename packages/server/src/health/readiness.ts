/**
 * Whether this node should be sent traffic (GET /readyz): its store is open, no resource alarm
 * is raised, and it is not shutting down. Each condition is a ReadinessCheck; the cluster adds
 * its own (joined, leaders known) through the same list when it lands.
 */
export interface ReadinessCheck {
  /** Stable name, shown in the answer: `store`, `alarms`, `shutdown`, … */
  readonly name: string;
  /** undefined when fine, else why not (a human sentence). */
  problem(): string | undefined;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { name: string; ok: boolean; reason?: string }[];
}

export function readiness(checks: readonly ReadinessCheck[]): ReadinessReport {
  const results = checks.map((check) => {
    const reason = check.problem();
    return reason === undefined ? { name: check.name, ok: true } : { name: check.name, ok: false, reason };
  });
  return { ready: results.every((r) => r.ok), checks: results };
}

export function storeCheck(store: { readonly isOpen: boolean }): ReadinessCheck {
  return { name: 'store', problem: () => (store.isOpen ? undefined : 'the store is not open') };
}

export function alarmsCheck(alarms: { readonly active: readonly string[] }): ReadinessCheck {
  return {
    name: 'alarms',
    problem: () => {
      const active = alarms.active;
      return active.length === 0 ? undefined : `resource alarm raised: ${active.join(', ')} (publishers are blocked)`;
    },
  };
}
