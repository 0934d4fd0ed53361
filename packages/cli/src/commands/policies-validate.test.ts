import { describe, expect, it } from 'vitest';
import { cli } from '../run-cli.test-support.js';

describe('healstream policies validate', () => {
  it('accepts the default policies and the examples', async () => {
    const { code, out } = await cli('policies', 'validate', 'policies', 'policies/examples');
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('19 valid policies');
  });

  it('names file, line, column and field of each problem and exits 1', async () => {
    const { code, err } = await cli(
      'policies',
      'validate',
      'packages/core/test-fixtures/policies/unknown-action',
    );
    expect(code).toBe(1);
    expect(err).toEqual([
      "packages/core/test-fixtures/policies/unknown-action/policy.yaml:9:7: actions[1]: unknown action 'restart-servce' (did you mean 'restart-service'?)",
      'packages/core/test-fixtures/policies/unknown-action/policy.yaml:12:19: actions[2].params.replicas: 50 is too big (at most 20)',
      '2 problem(s) found',
    ]);
  });

  it('warns, with a did-you-mean, about a metric no alias and no catalogue entry knows', async () => {
    const { code, err, out } = await cli(
      'policies',
      'validate',
      'packages/core/test-fixtures/policies/unknown-metric',
    );
    expect(code).toBe(0);
    expect(err).toEqual([
      "warning: packages/core/test-fixtures/policies/unknown-metric/policy.yaml:4:15: conditions[0].metric: metric 'latency_p9' is neither a canonical metric nor an alias (docs/metrics.md): no cause rule reads it and it matches only samples named exactly so (did you mean 'latency_p99'?)",
    ]);
    expect(out.at(-1)).toBe('1 valid policies');
    for (const shipped of [['policies', 'policies/examples'], ['policies/demo']])
      expect((await cli('policies', 'validate', ...shipped)).err).toEqual([]);
  });

  it('gives the issues as JSON with --json', async () => {
    const { out } = await cli(
      'policies',
      'validate',
      'packages/core/test-fixtures/policies/priority',
      '--json',
    );
    expect(JSON.parse(out[0] ?? '')).toMatchObject({
      ok: false,
      issues: [{ line: 7, column: 15, field: 'priority' }],
    });
  });
});

describe('healstream policies explain', () => {
  it('says which policy acts on the reference example and why not the others', async () => {
    const event = JSON.stringify({
      component: 'payments',
      metrics: { latency_p99: 600, error_rate: 0.2, throughput: 200 },
      timestamp: 1_772_359_200_000,
    });
    const { code, out } = await cli('policies', 'explain', '--event', event);
    expect(code).toBe(0);
    expect(out).toContain(
      'verdict DISPATCHED: Critical Latency Spike → restart-service, alert-oncall',
    );
    expect(
      out
        .filter((l) => l.startsWith('  ') && !l.startsWith('  cause'))
        .map((l) => l.trim().replace(/ +/g, ' ')),
    ).toEqual([
      'Bad Deploy Rollback p10 no-match cause bad-deploy not diagnosed',
      'Circuit Breaker On Dependency Failure p10 no-match cause dependency-failure not diagnosed',
      '→ Critical Latency Spike p10 chosen latency_p99 600 > 500; for: 10s taken as held',
      'High Error Rate p9 lower-priority error_rate 0.2 > 0.15, throughput 200 > 100; for: 10s taken as held; Critical Latency Spike ranks higher',
      'Restart Silent Component p9 no-match cause crash-silence not diagnosed',
      'Page On Silent Component p8 no-match cause crash-silence not diagnosed',
      'Restart On Hang p8 no-match cause deadlock-hang not diagnosed',
      'Restart On Memory Leak p8 no-match cause memory-leak not diagnosed',
      'Restart On Pool Exhaustion p8 no-match cause connection-pool-exhaustion not diagnosed',
      'Scale Up On Resource Exhaustion p8 no-match cause resource-exhaustion not diagnosed',
      'Scale Up On Traffic Spike p8 no-match cause traffic-spike not diagnosed',
      'Resource Exhaustion p7 no-match cpu_util not reported',
      'Moderate Latency p5 no-match latency_p99 600 is not < 500',
      'Throughput Drop p4 lower-priority throughput 200 < 500; for: 10s taken as held; Critical Latency Spike ranks higher',
    ]);
  });

  it('reads unit-suffixed and exporter names through the alias table', async () => {
    for (const metrics of [
      { latency_p99_ms: 600, error_rate: 0.2, throughput_rps: 1000 },
      { http_request_duration_seconds_p99: 0.6, error_rate: 0.2, http_requests_rate: 1000 },
    ]) {
      const event = JSON.stringify({ component: 'payments', metrics });
      const { out } = await cli('policies', 'explain', '--event', event);
      expect(out, JSON.stringify(metrics)).toContain(
        'verdict DISPATCHED: Critical Latency Spike → restart-service, alert-oncall',
      );
      expect(out[0]).toBe('payments: 2 anomalous metric(s): latency_p99=600, error_rate=0.2');
    }
  });

  it('accepts a Diagnosis and matches cause conditions', async () => {
    const diagnosis = {
      component: 'checkout',
      detectedAt: 1_772_359_200_000,
      snapshot: [],
      causes: [{ cause: 'bad-deploy', confidence: 0.9, evidence: ['deployed 30 s before'] }],
    };
    const { out } = await cli(
      'policies',
      'explain',
      '--event',
      JSON.stringify(diagnosis),
      '--policies',
      'policies/examples',
      '--json',
    );
    const parsed = JSON.parse(out[0] ?? '') as { decision: { verdict: string; policy: string } };
    expect(parsed.decision).toMatchObject({ verdict: 'DISPATCHED', policy: 'Rollback Bad Deploy' });
  });

  it('rejects an event it cannot read, in one line', async () => {
    const { code, err } = await cli('policies', 'explain', '--event', '{"hello":1}');
    expect(code).toBe(1);
    expect(err[0]).toMatch(/^healstream: --event: not a diagnosis, event, sample or snapshot/);
  });
});
