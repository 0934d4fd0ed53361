import { describe, expect, it } from 'vitest';
import { MemberBehaviour } from './behaviour.js';
import { parsePrometheusText } from '@healstream/agent';
import { exposition } from './exposition.js';

/** A member on a virtual clock: sleeps advance time instantly, randomness is scripted. */
function member(options: { defective?: boolean; random?: () => number } = {}) {
  let now = 0;
  const behaviour = new MemberBehaviour({
    defective: options.defective ?? false,
    poolSize: 4,
    now: () => now,
    random: options.random ?? (() => 0.9),
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { behaviour, advance: (ms: number) => (now += ms), now: () => now };
}

async function serveMany(behaviour: MemberBehaviour, n: number) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await behaviour.serve());
  return results;
}

describe('fleet member behaviour', () => {
  it('serves healthily without faults', async () => {
    const { behaviour, now } = member();
    await serveMany(behaviour, 20);
    const s = behaviour.window.summary(now());
    expect(s.errorRate).toBe(0);
    expect(behaviour.unhealthyReason(0.2)).toBeNull();
  });

  it('errors fault fails requests and makes the member unhealthy; fallback mode stops the errors', async () => {
    let i = 0;
    const { behaviour, advance, now } = member({
      random: () => [0.9, 0.9, 0.1][i++ % 3] as number,
    });
    behaviour.inject('errors');
    await serveMany(behaviour, 30);
    expect(behaviour.window.summary(now()).errorRate).toBeGreaterThan(0.25);
    expect(behaviour.unhealthyReason(0.2)).toMatch(/error rate/);
    behaviour.enableFallback(60_000);
    advance(6000); // the window forgets the failed requests
    const results = await serveMany(behaviour, 30);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(behaviour.unhealthyReason(0.2)).toBeNull();
  });

  it('pool exhaustion leaks connections for good: clearing the fault does not give them back', async () => {
    const { behaviour } = member({ random: () => 0.1 });
    behaviour.inject('pool-exhaustion');
    await serveMany(behaviour, 4);
    expect(behaviour.pool.inUse).toBe(4);
    behaviour.inject('none');
    expect(behaviour.pool.inUse).toBe(4);
  });

  it('a defective version fails a share of requests whatever else happens', async () => {
    const { behaviour, now } = member({ defective: true, random: () => 0.3 });
    await serveMany(behaviour, 20);
    expect(behaviour.window.summary(now()).errorRate).toBe(1);
  });

  it('a database that is down fails every request without touching the pool, until fallback mode answers from the cache', async () => {
    const { behaviour, advance, now } = member();
    behaviour.inject('database-down');
    const failed = await serveMany(behaviour, 20);
    expect(failed.every((r) => r.status === 503)).toBe(true);
    expect(behaviour.pool.inUse).toBe(0);
    expect(behaviour.unhealthyReason(0.2)).toMatch(/error rate 100%/);
    behaviour.enableFallback(60_000);
    advance(6000);
    expect((await serveMany(behaviour, 10)).every((r) => r.status === 200)).toBe(true);
    expect(behaviour.window.summary(now()).errorRate).toBe(0);
  });

  it('a saturated CPU makes the member unhealthy; none clears the external faults', () => {
    const { behaviour } = member();
    expect(behaviour.unhealthyReason(0.2, 0.5)).toBeNull();
    expect(behaviour.unhealthyReason(0.2, 0.97)).toMatch(/cpu at 97%/);
    behaviour.inject('traffic-surge');
    behaviour.inject('database-down');
    expect(behaviour.faults).toMatchObject({ surge: true, databaseDown: true });
    behaviour.inject('none');
    expect(behaviour.faults).toMatchObject({ surge: false, databaseDown: false });
  });

  it('an open circuit breaker stops calls to a failing dependency', async () => {
    const { behaviour, now } = member({ random: () => 0.4 });
    behaviour.inject('dependency-errors');
    await serveMany(behaviour, 10);
    expect(behaviour.window.summary(now()).dependencyErrorRate).toBe(1);
    behaviour.openCircuit(60_000);
    const results = await serveMany(behaviour, 10);
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});

describe('metrics exposition', () => {
  it('renders the catalogue metrics with component, instance and version labels, and parses back', () => {
    const text = exposition(
      {
        latencyP99Ms: 120,
        errorRate: 0.01,
        requestsPerSecond: 40,
        dependencyErrorRate: 0,
        inflight: 2,
        cpuUtil: 0.1,
        memoryMb: 100,
        memoryUtil: 0.2,
        poolActive: 5,
        poolMax: 20,
        circuitOpen: false,
        fallback: true,
        uptimeSeconds: 3,
        replicas: 2,
      },
      { component: 'payments', instance: 'payments-0', version: '1.2.3' },
    );
    const { samples, errors } = parsePrometheusText(text);
    expect(errors).toEqual([]);
    const byName = new Map(samples.map((s) => [s.name, s]));
    for (const name of [
      'latency_p99',
      'error_rate',
      'cpu_util',
      'memory_mb',
      'db_pool_utilization',
      'throughput',
      'dependency_error_rate',
      'inflight_requests',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.get('db_pool_utilization')?.value).toBe(0.25);
    expect(byName.get('replicas')?.value).toBe(2);
    expect(byName.has('uptime_seconds')).toBe(false);
    expect(byName.has('cpu_percent') || byName.has('requests_per_second')).toBe(false);
    expect(byName.get('build_info')?.labels).toEqual({
      component: 'payments',
      instance: 'payments-0',
      version: '1.2.3',
    });
  });
});
