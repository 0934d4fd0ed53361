import type { ScorerOptions, ScorerState, SeriesScorer } from '@healstream/anomaly';
import type { MetricSample, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig } from './config.js';
import { createScorer } from '@healstream/anomaly';
import { detect, type ScorerFactory } from './detect.js';
import { refreshEvent } from './events.js';
import type { ComponentDetectorState } from './state.js';

/**
 * A deterministic stand-in for the statistical scorer: the baseline is the mean of the samples
 * seen, warm after `warmupSamples`, score 1 when the value is more than twice the baseline.
 */
const fakeScorer: ScorerFactory = (
  options: ScorerOptions = {},
  state?: ScorerState,
): SeriesScorer => {
  let n = typeof state?.['n'] === 'number' ? state['n'] : 0;
  let sum = typeof state?.['sum'] === 'number' ? state['sum'] : 0;
  const warmup = options.warmupSamples ?? 3;
  return {
    update(value) {
      const baseline = n === 0 ? value : sum / n;
      const warm = n >= warmup;
      n += 1;
      sum += value;
      return { score: warm && value > 2 * baseline ? 1 : 0, baseline, warm };
    },
    state: () => ({ version: 1, n, sum }),
  };
};

const T0 = Date.parse('2026-03-01T10:00:00Z');
const sample = (
  metric: string,
  value: number,
  seconds: number,
  labels: Record<string, string> = {},
): MetricSample => ({
  component: 'payments',
  metric,
  value,
  timestamp: T0 + seconds * 1000,
  labels,
});

function run(
  samples: MetricSample[],
  config = resolveDetectorConfig({ statistical: { enabled: false } }),
  factory: ScorerFactory = fakeScorer,
) {
  let state: ComponentDetectorState | null = null;
  const events = [];
  for (const s of samples) {
    const result = detect(state, s, config, factory);
    state = result.state;
    events.push(...result.events);
  }
  return { state, events };
}

describe('detect: static thresholds and the incident lifecycle', () => {
  it('opens on the first anomalous sample with the worst severity, and resolves after a healthy run', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      resolveAfterSamples: 3,
    });
    const { events } = run(
      [
        sample('latency_p99', 100, 0),
        sample('latency_p99', 600, 10),
        ...[20, 30, 40].map((t) => sample('latency_p99', 100, t)),
      ],
      config,
    );
    expect(events.map((e) => [e.kind, e.severity, e.detectedAt - T0])).toEqual([
      ['ANOMALY', 'CRITICAL', 10_000],
      // latency back to normal: told at once, marked cleared (a hold starts over)
      ['ANOMALY', 'INFO', 20_000],
      ['RESOLVED', 'INFO', 40_000],
    ]);
    expect(events[1]).toMatchObject({ anomalies: [], labels: { 'healstream.event': 'cleared' } });
    // Past the CRITICAL threshold of 500: the detector says so (the diagnoser publishes at once).
    expect(events[0]?.labels).toEqual({ 'healstream.line': 'critical' });
    expect(events[0]?.anomalies).toEqual([
      { metric: 'latency_p99', value: 600, baseline: 500, score: 1, detector: 'threshold' },
    ]);
    expect(events[0]?.incidentId).toBe(events[1]?.incidentId);
  });

  it('labels an event critical only while a metric is past a CRITICAL threshold', () => {
    const config = resolveDetectorConfig({ statistical: { enabled: false } });
    const { events } = run(
      [
        sample('latency_p99', 100, 0),
        sample('latency_p99', 350, 10), // WARNING line (300) only
        sample('latency_p99', 700, 20), // past the CRITICAL line (500)
        sample('latency_p99', 380, 30), // back under it, still past the warning one
      ],
      { ...config, reemitEveryMs: 1000 },
    );
    expect(events.map((e) => [e.detectedAt - T0, e.labels['healstream.line'] ?? null])).toEqual([
      [10_000, null],
      [20_000, 'critical'],
      [30_000, null],
    ]);
  });

  it('does not flap on a noisy boundary: one healthy sample between anomalous ones keeps the incident', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      resolveAfterSamples: 3,
      reemitEveryMs: 3_600_000,
    });
    const values = [600, 100, 600, 100, 100, 600, 100, 600];
    const { events } = run(
      values.map((v, i) => sample('latency_p99', v, i * 10)),
      config,
    );
    // One incident, never resolved; besides the opening event, one update each time it calms.
    expect(events.map((e) => [e.kind, (e.detectedAt - T0) / 1000])).toEqual([
      ['ANOMALY', 0],
      ['ANOMALY', 10],
      ['ANOMALY', 30],
      ['ANOMALY', 60],
    ]);
    expect(new Set(events.map((e) => e.incidentId)).size).toBe(1);
  });

  it('takes samples under their canonical name and unit through the alias table', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      aliases: [{ name: 'svc_latency_p99_us', metric: 'latency_p99_ms', scale: 0.001 }],
    });
    const { state, events } = run(
      [
        sample('http_request_duration_seconds_p99', 0.6, 0),
        sample('throughput_rps', 900, 0),
        sample('svc_latency_p99_us', 700_000, 5),
      ],
      config,
    );
    expect(events[0]?.anomalies).toEqual([
      { metric: 'latency_p99', value: 600, baseline: 500, score: 1, detector: 'threshold' },
    ]);
    expect(Object.keys(state?.metrics ?? {}).sort()).toEqual(['latency_p99', 'throughput']);
    expect(state?.metrics['latency_p99']?.value).toBeCloseTo(700);
  });

  it('re-emits ANOMALY at most every reemitEveryMs while the incident stays anomalous', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      reemitEveryMs: 30_000,
    });
    const { events } = run(
      Array.from({ length: 10 }, (_, i) => sample('error_rate', 0.3, i * 10)),
      config,
    );
    expect(events.map((e) => (e.detectedAt - T0) / 1000)).toEqual([0, 30, 60, 90]);
    expect(new Set(events.map((e) => e.incidentId)).size).toBe(1);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);
  });

  it('never counts a stale metric as anomalous', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      staleAfterMs: 30_000,
      resolveAfterSamples: 1,
    });
    const { events } = run(
      [sample('latency_p99', 900, 0), sample('cpu_util', 0.2, 10), sample('cpu_util', 0.2, 60)],
      config,
    );
    expect(events.map((e) => [e.kind, (e.detectedAt - T0) / 1000])).toEqual([
      ['ANOMALY', 0],
      ['RESOLVED', 60],
    ]);
  });

  it('records a deploy marker when the version label changes', () => {
    const { state } = run([
      sample('error_rate', 0.01, 0, { version: 'v1' }),
      sample('error_rate', 0.01, 10, { version: 'v2' }),
    ]);
    expect(state?.metrics['deploy']).toMatchObject({ observedAt: T0 + 10_000 });
    expect(state?.labels).toEqual({ version: 'v2' });
  });

  it('records a deploy marker from an image label change and from a deployment event sample', () => {
    const image = run([
      sample('error_rate', 0.01, 0, { image: 'shop:1.4' }),
      sample('error_rate', 0.01, 5, { image: 'shop:1.4' }),
      sample('error_rate', 0.01, 10, { image: 'shop:1.5' }),
    ]).state;
    expect(image?.metrics['deploy']).toMatchObject({ observedAt: T0 + 10_000 });
    const event = run([
      sample('error_rate', 0.01, 0),
      sample('deployment', 1, 20),
      sample('error_rate', 0.01, 25),
    ]).state;
    expect(event?.metrics['deploy']).toMatchObject({ observedAt: T0 + 20_000 });
    expect(event?.metrics['deployment']).toBeUndefined();
  });
});

describe('detect: the statistical scorer', () => {
  const config = resolveDetectorConfig({
    thresholds: [],
    statistical: { enabled: true, scoreThreshold: 0.9, warmupSamples: 3 },
  });

  it('stays quiet during warm-up, then flags a value far from the baseline', () => {
    const { events } = run(
      [50, 200, 50, 50, 50, 400].map((v, i) => sample('throughput', v, i * 10)),
      config,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.anomalies[0]).toMatchObject({
      metric: 'throughput',
      value: 400,
      baseline: 80,
      detector: 'statistical',
    });
  });

  it('restores from serialised state and continues exactly where it left off', () => {
    const values = [50, 60, 55, 50, 52, 300, 40, 45, 41, 39, 500];
    const whole = run(
      values.map((v, i) => sample('throughput', v, i * 10)),
      config,
    );
    let state: ComponentDetectorState | null = null;
    const events = [];
    for (const [i, v] of values.entries()) {
      const restored =
        state === null ? null : (JSON.parse(JSON.stringify(state)) as ComponentDetectorState);
      const result = detect(restored, sample('throughput', v, i * 10), config, fakeScorer);
      state = result.state;
      events.push(...result.events);
    }
    expect(events).toEqual(whole.events);
    expect(state).toEqual(whole.state);
  });

  it('keeps memory constant: one entry per metric however long the stream', () => {
    const { state } = run(
      Array.from({ length: 2000 }, (_, i) =>
        sample(i % 2 ? 'cpu_util' : 'throughput', 50 + (i % 7), i),
      ),
      config,
    );
    expect(Object.keys(state?.metrics ?? {})).toHaveLength(2);
    expect(JSON.stringify(state).length).toBeLessThan(1000);
  });
});

describe('refreshEvent', () => {
  it('brings an opening event up to date with the rest of the scrape it opened on', () => {
    const config = resolveDetectorConfig({ statistical: { enabled: false } });
    const at = Date.parse('2026-03-01T10:00:00Z');
    const sample = (metric: string, value: number) => ({
      component: 'checkout',
      metric,
      value,
      timestamp: at,
      labels: {},
    });
    const first = detect(undefined, sample('error_rate', 0.2), config);
    expect(first.events).toHaveLength(1);
    const opening = first.events[0] as ReliabilityEvent;
    expect(opening.snapshot.map((r) => r.metric)).toEqual(['error_rate']);
    const rest = detect(first.state, sample('dependency_error_rate', 0.6), config);
    expect(rest.events).toEqual([]);
    const refreshed = refreshEvent(opening, rest.state, config);
    expect(refreshed.eventId).toBe(opening.eventId);
    expect(refreshed.detectedAt).toBe(at);
    expect(refreshed.snapshot.map((r) => r.metric).sort()).toEqual([
      'dependency_error_rate',
      'error_rate',
    ]);
    expect(refreshed.anomalies.map((a) => a.metric).sort()).toEqual([
      'dependency_error_rate',
      'error_rate',
    ]);
    expect(refreshed.severity).toBe('CRITICAL');
  });

  it('keeps a cleared event cleared when it brings it up to date', () => {
    const config = resolveDetectorConfig({ statistical: { enabled: false } });
    const s = (metric: string, value: number, t: number) => ({
      component: 'c',
      metric,
      value,
      timestamp: t,
      labels: {},
    });
    const opened = detect(undefined, s('error_rate', 0.2, 1), config);
    const bad = detect(opened.state, s('latency_p99', 900, 1), config);
    const cleared = detect(bad.state, s('latency_p99', 100, 2), config);
    const event = cleared.events[0] as ReliabilityEvent;
    expect(event.labels).toEqual({ 'healstream.event': 'cleared' });
    const later = detect(cleared.state, s('latency_p99', 950, 2), config); // same batch, bad again
    const refreshed = refreshEvent(event, later.state, config);
    expect(refreshed.anomalies.map((a) => a.metric).sort()).toEqual(['error_rate', 'latency_p99']);
    expect(refreshed).toMatchObject({
      severity: 'INFO',
      labels: { 'healstream.event': 'cleared' },
    });
  });

  it('leaves a RESOLVED event, or one of another incident, as it is', () => {
    const config = resolveDetectorConfig({ statistical: { enabled: false } });
    const state = detect(
      undefined,
      { component: 'c', metric: 'error_rate', value: 0.2, timestamp: 1, labels: {} },
      config,
    ).state;
    const resolved = {
      eventId: 'x',
      incidentId: state.incident?.incidentId ?? '',
      component: 'c',
      kind: 'RESOLVED' as const,
      severity: 'INFO' as const,
      detectedAt: 1,
      snapshot: [],
      anomalies: [],
      labels: {},
      forecasts: [],
    };
    expect(refreshEvent(resolved, state, config)).toBe(resolved);
    const other = { ...resolved, kind: 'ANOMALY' as const, incidentId: 'inc-other' };
    expect(refreshEvent(other, state, config)).toBe(other);
  });
});

describe('detect: severity of statistical anomalies, from their magnitude', () => {
  /** Deterministic Gaussian noise (Box–Muller over a small LCG). */
  function gaussian(seed: number) {
    let s = seed >>> 0 || 1;
    const u = () => {
      s = (s * 1_103_515_245 + 12_345) >>> 0;
      return (s + 1) / 2 ** 32;
    };
    return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  }
  const config = resolveDetectorConfig({ thresholds: [] });

  it('raises no CRITICAL on values inside the normal noise, over hours of healthy data', () => {
    const severities: string[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const noise = gaussian(seed);
      const samples = Array.from({ length: 2880 }, (_, i) => [
        sample('latency_p99', 120 + 12 * noise(), i * 5),
        sample('throughput', 900 + 60 * noise(), i * 5),
        sample('cpu_util', 0.35 + 0.04 * noise(), i * 5),
      ]).flat();
      const { events } = run(samples, config, createScorer);
      severities.push(...events.filter((e) => e.kind === 'ANOMALY').map((e) => e.severity));
    }
    expect(severities.filter((s) => s === 'CRITICAL')).toEqual([]);
  });

  it('opens no incident at all on hours of healthy noise, warm-up included (minDeviation)', () => {
    const incidents = (minDeviation: number) => {
      const gated = resolveDetectorConfig({ thresholds: [], statistical: { minDeviation } });
      let opened = 0;
      for (const seed of [11, 12, 13, 14, 15]) {
        const noise = gaussian(seed);
        // Two hours at 5 s with a slow wave, as a service's traffic has.
        const samples = Array.from({ length: 1440 }, (_, i) => {
          const wave = 1 + 0.1 * Math.sin((2 * Math.PI * i) / 1440);
          return [
            sample('latency_p99', 120 + 12 * noise(), i * 5),
            sample('throughput', 900 * wave + 60 * noise(), i * 5),
            sample('cpu_util', 0.35 * wave + 0.04 * noise(), i * 5),
          ];
        }).flat();
        const { events } = run(samples, gated, createScorer);
        opened += new Set(events.filter((e) => e.kind === 'ANOMALY').map((e) => e.incidentId)).size;
      }
      return opened;
    };
    expect(incidents(5)).toBe(0);
    // The score alone opens incidents on the same noise: the gate is what keeps them out.
    expect(incidents(0)).toBeGreaterThan(5);
  });

  it('flags a ramp whose first unusual sample was still inside minDeviation', () => {
    const noise = gaussian(21);
    const healthy = Array.from({ length: 400 }, (_, i) =>
      sample('latency_p99', 120 + 12 * noise(), i * 5),
    );
    // 3.5 standard deviations first: unusual (the scorer's one alarm) but too small to count;
    // then a lasting 8. The scorer's gate would silence the rest of the ramp after its first
    // sample, and the fault would wait for a threshold.
    const ramp = [3.5, 8, 8, 8, 8].map((sd, i) =>
      sample('latency_p99', 120 + 12 * sd, (400 + i) * 5),
    );
    const { events } = run([...healthy, ...ramp], config, createScorer);
    const opened = events.filter((e) => e.kind === 'ANOMALY');
    expect(opened.length).toBeGreaterThan(0);
    expect(opened[0]?.detectedAt).toBe(T0 + 401 * 5_000);
  });

  it('calls a value far outside the noise CRITICAL, and a moderate one WARNING', () => {
    const noise = gaussian(9);
    const healthy = Array.from({ length: 400 }, (_, i) =>
      sample('latency_p99', 120 + 12 * noise(), i * 5),
    );
    const at = 400 * 5;
    const severityOf = (value: number) =>
      run([...healthy, sample('latency_p99', value, at)], config, createScorer).events.at(-1)
        ?.severity;
    expect(severityOf(120 + 12 * 20)).toBe('CRITICAL'); // 20 standard deviations
    expect(severityOf(120 + 12 * 5.5)).toBe('WARNING');
  });
});

describe('detect: the pre-incident level of each metric', () => {
  function gaussian(seed: number) {
    let s = seed >>> 0 || 1;
    const u = () => {
      s = (s * 1_103_515_245 + 12_345) >>> 0;
      return (s + 1) / 2 ** 32;
    };
    return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  }
  /** 400 healthy scrapes, then 5 minutes with latency over its threshold and traffic tripled, then latency healthy again. */
  function surge(config = resolveDetectorConfig()) {
    const noise = gaussian(3);
    const samples: MetricSample[] = [];
    for (let i = 0; i < 520; i++) {
      const latency = i >= 400 && i < 470 ? 800 : 120;
      samples.push(
        sample('latency_p99', latency + 12 * noise(), i * 5),
        sample('throughput', (i >= 400 ? 2700 : 900) + 40 * noise(), i * 5),
      );
    }
    return run(samples, config, createScorer);
  }
  const late = (events: ReliabilityEvent[]) =>
    events.filter((e) => e.kind === 'ANOMALY' && e.detectedAt >= T0 + 460 * 5_000)[0];

  it('lists a metric still far from its pre-incident level minutes in, with that level as baseline', () => {
    const { events } = surge();
    const event = late(events);
    const tp = event?.anomalies.find((a) => a.metric === 'throughput');
    expect(tp).toMatchObject({ detector: 'pre-incident' });
    expect(tp?.baseline).toBeGreaterThan(850);
    expect(tp?.baseline).toBeLessThan(950);
    // The threshold anomaly of latency stays, with the pre-incident level listed beside it.
    const latency = event?.anomalies.filter((a) => a.metric === 'latency_p99') ?? [];
    expect(latency.map((a) => a.detector).sort()).toEqual(['pre-incident', 'threshold']);
    // Without the shift the scorer has long taken the new traffic as normal.
    const off = late(surge(resolveDetectorConfig({ statistical: { shiftDeviation: 1e9 } })).events);
    expect(off?.anomalies.some((a) => a.metric === 'throughput')).toBe(false);
  });

  it('never holds an incident open: it resolves once the anomalies end, traffic still up', () => {
    const { events, state } = surge();
    expect(events.some((e) => e.kind === 'RESOLVED')).toBe(true);
    expect(state?.incident).toBeNull();
  });
});
