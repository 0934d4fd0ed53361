/**
 * The demo's scenarios, after the reference's real-world patterns: each injects one real fault
 * into one fleet component and says how the run must end. Components differ where they can, so
 * one scenario's cooldowns never meet the next one's. The flapping member runs before checkout's
 * deploys: a recent deploy would make bad-deploy the diagnosed cause of its leak.
 */
export interface Scenario {
  name: string;
  title: string;
  component: string;
  /** The kind posted to the supervisor's POST /components/:id/fault. */
  fault: string;
  /** What the pipeline should make of it. */
  expect:
    | { kind: 'heal'; policy: string; cause: string }
    | { kind: 'page'; cause: string }
    /** Healed once, the fault comes back in the new process: flap damping pages instead. */
    | { kind: 'flap'; policy: string; cause: string };
  /**
   * Once healed and the fault is over: the policy that must give back what the healing added,
   * and the instances the component must run afterwards.
   */
  afterwards?: { policy: string; instances: number };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'pool-exhaustion',
    title: 'connection-pool exhaustion → restart',
    component: 'payments',
    fault: 'pool-exhaustion',
    expect: {
      kind: 'heal',
      policy: 'Restart On Pool Exhaustion',
      cause: 'connection-pool-exhaustion',
    },
  },
  {
    name: 'flapping',
    title:
      'a member whose pool leaks again after every restart → one restart, then flap damping → page',
    component: 'checkout',
    fault: 'pool-exhaustion',
    expect: {
      kind: 'flap',
      policy: 'Restart On Pool Exhaustion',
      cause: 'connection-pool-exhaustion',
    },
  },
  {
    name: 'error-spike',
    title: 'error spike from a failing dependency → circuit breaker and fallback',
    component: 'checkout',
    fault: 'dependency-errors',
    expect: {
      kind: 'heal',
      policy: 'Circuit Breaker On Dependency Failure',
      cause: 'dependency-failure',
    },
  },
  {
    name: 'resource-exhaustion',
    title: 'resource exhaustion from a traffic surge → scale-up, then scale-down once it is over',
    component: 'search',
    fault: 'traffic-surge',
    expect: { kind: 'heal', policy: 'Scale Up On CPU Saturation', cause: 'resource-exhaustion' },
    afterwards: { policy: 'Scale Down When Under-used', instances: 1 },
  },
  {
    name: 'bad-deploy',
    title: 'bad deploy → rollback',
    component: 'checkout',
    fault: 'bad-deploy',
    expect: { kind: 'heal', policy: 'Rollback Bad Deploy', cause: 'bad-deploy' },
  },
  {
    name: 'crash',
    title: 'a member crashes and falls silent → restart',
    component: 'checkout',
    fault: 'crash',
    expect: { kind: 'heal', policy: 'Restart Silent Component', cause: 'crash-silence' },
  },
  {
    name: 'unfixable',
    title: 'database down, which no action fixes → ladder → page',
    component: 'payments',
    fault: 'database-down',
    expect: { kind: 'page', cause: 'unknown' },
  },
];

export function selectScenarios(names: string | undefined): Scenario[] {
  if (!names) return [...SCENARIOS];
  const wanted = names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = wanted.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`,
    );
  return SCENARIOS.filter((s) => wanted.includes(s.name));
}
