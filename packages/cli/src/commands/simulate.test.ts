import { describe, expect, it } from 'vitest';
import { cli } from '../run-cli.test-support.js';

const lines = (out: string[], pattern: RegExp) =>
  out.filter((l) => pattern.test(l)).map((l) => l.replace(/cmd-[0-9a-f]+/, 'cmd-…'));

describe('healstream simulate', () => {
  it('heals a latency spike with one restart and resolves the incident', async () => {
    const { code, out } = await cli(
      'simulate',
      'fixtures/simulate/latency-spike.jsonl',
      '--detector',
      'thresholds',
    );
    expect(code).toBe(0);
    expect(lines(out, /^\d\d:.*(decision|outcome|RESOLVED|ANOMALY|CLEARED)/)).toEqual([
      '10:01:00  payments ANOMALY CRITICAL inc-payments-1772359260000: latency_p99=620 (threshold 500)',
      '10:01:00  payments   decision NO_MATCH: Critical Latency Spike: latency_p99 620 > 500; held: condition true for 0s of 10s',
      '10:01:10  payments ANOMALY CRITICAL inc-payments-1772359260000: latency_p99=620 (threshold 500), error_rate=0.2 (threshold 0.15)',
      '10:01:10  payments   decision DISPATCHED Critical Latency Spike (attempt 1)',
      '10:01:20  payments   outcome Critical Latency Spike attempt 1: restart-service SUCCEEDED, alert-oncall DELEGATED; RECOVERED',
      '10:01:20  payments CLEARED inc-payments-1772359260000: a metric is back to normal; still anomalous: error_rate=0.2 (threshold 0.15)',
      '10:01:20  payments   decision NO_MATCH: a metric went back to normal; holds updated',
      '10:01:20  payments CLEARED inc-payments-1772359260000: a metric is back to normal; still anomalous: none',
      '10:01:20  payments   decision NO_MATCH: a metric went back to normal; holds updated',
      '10:01:40  payments RESOLVED inc-payments-1772359260000',
      '10:01:40  payments   decision RESOLVED: incident resolved; its ladder is closed',
    ]);
    expect(out.at(-1)).toBe(
      '  inc-payments-1772359260000 payments 10:01:00–10:01:40: Critical Latency Spike: RECOVERED',
    );
  });

  it('climbs the ladder when nothing recovers, then escalates once', async () => {
    const { out } = await cli(
      'simulate',
      'fixtures/simulate/ladder-escalation.jsonl',
      '--detector',
      'thresholds',
    );
    expect(lines(out, /decision|ESCALATION/).slice(0, 6)).toEqual([
      '10:00:30  checkout   decision NO_MATCH: High Error Rate: error_rate 0.3 > 0.15, throughput 800 > 100; held: condition true for 0s of 10s',
      '10:00:40  checkout   decision DISPATCHED High Error Rate (attempt 1)',
      '10:00:50  checkout   decision DISPATCHED Throughput Drop (attempt 2)',
      '10:01:00  checkout   decision ESCALATE: no untried policy left (tried: High Error Rate, Throughput Drop)',
      '10:01:00  checkout   ESCALATION LADDER_EXHAUSTED: checkout: automatic healing gave up (no untried policy left (tried: High Error Rate, Throughput Drop)); probable cause unknown (confidence 1.00)',
      '10:01:10  checkout   decision ESCALATE: no untried policy left (tried: High Error Rate, Throughput Drop)',
    ]);
    expect(lines(out, /ESCALATION/)).toHaveLength(1);
  });

  it('blames a bad deploy and rolls it back with the example cause policies', async () => {
    const { out } = await cli(
      'simulate',
      'fixtures/simulate/bad-deploy.jsonl',
      '--detector',
      'thresholds',
      '--policies',
      'policies',
      '--policies',
      'policies/examples',
    );
    expect(lines(out, /diagnosis|DISPATCHED|command/).slice(0, 3)).toEqual([
      '10:01:00  checkout   diagnosis: bad-deploy 0.99',
      '10:01:00  checkout   decision DISPATCHED Rollback Bad Deploy (attempt 1)',
      '10:01:00  checkout   command cmd-…: rollback-deployment, alert-oncall',
    ]);
  });

  it('scales up on a CPU forecast before 90 % is crossed, then back down once idle', async () => {
    const { code, out } = await cli(
      'simulate',
      'fixtures/simulate/predictive-scale.jsonl',
      '--detector',
      'thresholds',
      '--policies',
      'policies/examples/predictive-scale-up.yaml',
      '--policies',
      'policies/examples/scale-down.yaml',
    );
    expect(code).toBe(0);
    // CPU would cross 90 % at 10:11:20: the forecast opens the incident at 82 %, and the
    // pre-emptive scale-up is dispatched then; the scale-down after ten idle minutes.
    expect(lines(out, /ANOMALY WARNING/)[0]).toBe(
      '10:10:10  search ANOMALY WARNING inc-search-1772359810000: cpu_util=0.8217 (forecast 0.9)',
    );
    expect(lines(out, /^\d\d:.*(DISPATCHED|outcome|RESOLVED inc)/)).toEqual([
      '10:10:10  search   decision DISPATCHED Pre-emptive Scale Up On CPU Trend (attempt 1)',
      '10:10:20  search   outcome Pre-emptive Scale Up On CPU Trend attempt 1: scale-up SUCCEEDED; RECOVERED',
      '10:25:00  search   decision DISPATCHED Scale Down When Under-used (attempt 2)',
      '10:25:10  search   outcome Scale Down When Under-used attempt 2: scale-down SUCCEEDED; RECOVERED',
      '10:25:30  search RESOLVED inc-search-1772359810000',
    ]);
    expect(lines(out, /held: condition true for 590s of 600s/)).toHaveLength(1);
  });

  it('finds a crashed component silent, restarts it, and resolves when it reports again', async () => {
    const { out } = await cli(
      'simulate',
      'fixtures/simulate/silence.jsonl',
      '--detector',
      'thresholds',
    );
    expect(lines(out, /SILENT|DISPATCHED|RESOLVED/)).toEqual([
      '10:00:30  checkout SILENT CRITICAL inc-checkout-1772359230000: silence=10 (silence 2)',
      '10:00:30  checkout   decision DISPATCHED Restart Silent Component (attempt 1)',
      '10:00:36  checkout SILENT CRITICAL inc-checkout-1772359230000: silence=16 (silence 2)',
      '10:00:42  checkout RESOLVED inc-checkout-1772359230000',
      '10:00:42  checkout   decision RESOLVED: incident resolved; its ladder is closed',
    ]);
    expect(out).toContain('10:00:30  checkout   diagnosis: crash-silence 0.99');
  });

  it('pages a whole-fleet silence once and restarts nothing', async () => {
    const { out } = await cli(
      'simulate',
      'fixtures/simulate/fleet-silence.jsonl',
      '--detector',
      'thresholds',
    );
    expect(lines(out, /ESCALATION|SILENT|DISPATCHED/)).toEqual([
      '10:00:30  __fleet__   ESCALATION FLEET_SILENT: no metrics from any of the 3 component(s) on partition 0 for 10 s: the producer (agent) feeding them has probably stopped, so nothing is restarted',
      '10:01:32  __fleet__   ESCALATION FLEET_SILENT: metrics arrive again on partition 0',
    ]);
    expect(out.at(-1)).toBe('0 incident(s):');
  });

  it('pages an anomaly no policy handles once it lasts five minutes', async () => {
    const { out } = await cli(
      'simulate',
      'fixtures/simulate/unhandled.jsonl',
      '--detector',
      'thresholds',
      // The reference's five: none reads the pool (policies/causes.yaml would restart it).
      '--policies',
      'policies/default.yaml',
      '--policies',
      'policies/silence.yaml',
    );
    expect(lines(out, /ESCALATION/)).toEqual([
      '10:05:10  payments   ESCALATION UNHANDLED: payments: anomalous for 5 min and no policy acts on it (paged after 300 s); probable cause connection-pool-exhaustion (confidence 0.97)',
    ]);
  });

  it('reports malformed lines with their numbers, skips them and runs the rest', async () => {
    const { code, out, err } = await cli(
      'simulate',
      'fixtures/simulate/malformed.jsonl',
      '--detector',
      'thresholds',
    );
    expect(code).toBe(0);
    expect(err).toEqual([
      'fixtures/simulate/malformed.jsonl:3: skipped: value: Invalid input: expected number, received string',
      expect.stringMatching(/^fixtures\/simulate\/malformed\.jsonl:4: skipped: not JSON: /),
      'fixtures/simulate/malformed.jsonl:5: skipped: timestamp: expected epoch milliseconds or an ISO-8601 time, got "yesterday"',
    ]);
    expect(out[0]).toBe('3 samples, 0 outcome rule(s), 14 policies');
    // The one good bad sample is a blip: held, then the hold breaks; nothing restarts.
    expect(lines(out, /decision/)).toEqual([
      '10:00:20  search   decision NO_MATCH: Critical Latency Spike: latency_p99 700 > 500; held: condition true for 0s of 10s',
      '10:00:30  search   decision NO_MATCH: a metric went back to normal; holds updated',
    ]);
  });

  it('runs with the statistical scorer too (the default detector)', async () => {
    const { code, out } = await cli('simulate', 'fixtures/simulate/latency-spike.jsonl');
    expect(code).toBe(0);
    expect(lines(out, /DISPATCHED/)[0]).toBe(
      '10:01:10  payments   decision DISPATCHED Critical Latency Spike (attempt 1)',
    );
  });

  it('prints machine-readable JSON with --json', async () => {
    const { out } = await cli(
      'simulate',
      'fixtures/simulate/latency-spike.jsonl',
      '--detector',
      'thresholds',
      '--json',
    );
    const parsed = JSON.parse(out.join('\n')) as {
      incidents: { component: string; actions: string[] }[];
      timeline: { kind: string }[];
    };
    expect(parsed.incidents).toEqual([
      expect.objectContaining({
        component: 'payments',
        actions: ['Critical Latency Spike: RECOVERED'],
      }),
    ]);
    expect(parsed.timeline.filter((e) => e.kind === 'command')).toHaveLength(1);
  });

  it('fails with one line when the file is missing', async () => {
    const { code, err } = await cli('simulate', 'nope.jsonl');
    expect(code).toBe(1);
    expect(err[0]).toMatch(/^healstream: simulate: cannot read nope\.jsonl/);
  });
});

describe('healstream simulate: healing over time', () => {
  it('damps a member that fails again after every cure: one FLAPPING page, no restart after', async () => {
    const { code, out } = await cli(
      'simulate',
      'fixtures/simulate/flapping.jsonl',
      '--detector',
      'thresholds',
    );
    expect(code).toBe(0);
    const acted = lines(out, /decision (DISPATCHED|ESCALATE|SKIPPED_FLAPPING)/);
    expect(acted.filter((l) => l.includes('DISPATCHED'))).toEqual([
      '10:01:10  payments   decision DISPATCHED Critical Latency Spike (attempt 1)',
    ]);
    const firstSuppressed = acted.findIndex((l) => l.includes('SKIPPED_FLAPPING'));
    expect(acted[firstSuppressed]).toBe(
      '10:13:00  payments   decision SKIPPED_FLAPPING: flapping: unknown re-opened 4 times after a recovery; penalty 3.62 ≥ suppress 3 (reuse below 1, half-life 30m); not acting, paged',
    );
    expect(acted.slice(firstSuppressed).every((l) => l.includes('SKIPPED_FLAPPING'))).toBe(true);
    expect(lines(out, /ESCALATION FLAPPING/)).toHaveLength(1);
  });

  it('demotes a policy that never cures to shadow, with one POLICY_DEMOTED page', async () => {
    const { code, out } = await cli(
      'simulate',
      'fixtures/simulate/never-cures.jsonl',
      '--detector',
      'thresholds',
    );
    expect(code).toBe(0);
    expect(lines(out, /decision DISPATCHED/)).toHaveLength(3);
    expect(lines(out, /ESCALATION POLICY_DEMOTED/)).toEqual([
      '10:21:40  checkout   ESCALATION POLICY_DEMOTED: Critical Latency Spike demoted to shadow for unknown on checkout: 0 of 3 healings stayed recovered (0% < 50%)',
    ]);
    const shadow = lines(out, /decision SHADOW/);
    expect(shadow[0]).toMatch(
      /^10:31:00 {2}checkout {3}decision SHADOW Critical Latency Spike: .*demoted to shadow for unknown: 0\/3 stayed recovered/,
    );
  });
});
