import type { MetricSample, ReliabilityEvent } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig } from './config.js';
import { detect } from './detect.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { ComponentDetectorState } from './state.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (metric: string, value: number, seconds: number): MetricSample => ({
  component: 'search',
  metric,
  value,
  timestamp: T0 + seconds * 1000,
  labels: {},
});

function run(
  samples: MetricSample[],
  config = resolveDetectorConfig({ statistical: { enabled: false } }),
) {
  let state: ComponentDetectorState | null = null;
  const events: ReliabilityEvent[] = [];
  for (const s of samples) {
    const r = detect(state, s, config);
    state = r.state;
    events.push(...r.events);
  }
  return { state, events };
}

describe('detect: forecasts', () => {
  it('opens an incident on a CPU ramp before it crosses 90 %, with a forecast anomaly', () => {
    // 0.40 → 0.90 in 500 s: a rising surge, one scrape a second.
    const cpu = (t: number) => 0.4 + 0.001 * t;
    const { events } = run(Array.from({ length: 500 }, (_, t) => at('cpu_util', cpu(t), t)));
    const first = events.find((e) => e.kind === 'ANOMALY');
    expect(first).toBeDefined();
    const seconds = ((first?.detectedAt ?? 0) - T0) / 1000;
    expect(cpu(seconds)).toBeLessThan(0.9);
    expect(first?.anomalies).toEqual([
      expect.objectContaining({ metric: 'cpu_util', detector: 'forecast', baseline: 0.9 }),
    ]);
    expect(first?.severity).toBe('WARNING');
    const at300 = first?.forecasts.find((f) => f.metric === 'cpu_util' && f.horizonSeconds === 300);
    expect(at300?.lower).toBeGreaterThan(0.9);
    expect(Math.abs((at300?.value ?? 0) - cpu(seconds + 300)) / cpu(seconds + 300)).toBeLessThan(
      0.05,
    );
  });

  it('is carried through the diagnosis, which reads no cause from a prediction', () => {
    const cpu = (t: number) => 0.4 + 0.001 * t;
    const { events } = run(Array.from({ length: 500 }, (_, t) => at('cpu_util', cpu(t), t)));
    const first = events.find((e) => e.kind === 'ANOMALY') as ReliabilityEvent;
    const diagnosis = diagnose(first, first.detectedAt);
    expect(diagnosis.forecasts).toEqual(first.forecasts);
    expect(diagnosis.forecasts.length).toBeGreaterThan(0);
    expect(diagnosis.causes.map((c) => c.cause)).toEqual(['unknown']);
    expect(diagnosis.causes[0]?.evidence[0]).toMatch(/cpu_util 0\.\d+ predicted past 0\.9/);
  });

  it('carries forecasts at every configured horizon, and none while warming up', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      thresholds: [{ metric: 'cpu_util', operator: 'gt', value: 0.2 }],
      forecast: { horizonsSeconds: [30, 120] },
    });
    const { events } = run(
      [
        at('cpu_util', 0.3, 0),
        ...Array.from({ length: 300 }, (_, t) => at('cpu_util', 0.3, t + 1)),
      ],
      config,
    );
    expect(events[0]?.forecasts).toEqual([]);
    const { state } = run(
      Array.from({ length: 300 }, (_, t) => at('cpu_util', 0.5, t)),
      config,
    );
    expect(state?.metrics['cpu_util']?.trend?.steps).toBeGreaterThan(12);
  });

  it('never opens an incident on a steady noisy series near, but under, the threshold: the band sees to it', () => {
    const series = () => {
      let x = 7;
      const u = () => ((x = (x * 1_103_515_245 + 12_345) >>> 0) + 1) / 2 ** 32;
      const noise = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      // CPU at 85 % ± 5 % (one standard deviation), a scrape every 5 s, for three hours.
      return Array.from({ length: (3 * 3600) / 5 }, (_, i) =>
        at('cpu_util', Math.min(1, 0.85 + 0.05 * noise()), i * 5),
      );
    };
    const forecastEvents = (z: number) =>
      run(
        series(),
        resolveDetectorConfig({ statistical: { enabled: false }, forecast: { z } }),
      ).events.filter((e) => e.anomalies.some((a) => a.detector === 'forecast'));
    expect(forecastEvents(2)).toEqual([]);
    // The trend alone, without its band, does cross now and then.
    expect(forecastEvents(0).length).toBeGreaterThan(0);
  });

  it('leaves a metric that is not modelled without a trend', () => {
    const { state } = run(Array.from({ length: 60 }, (_, t) => at('latency_p99', 100 + t, t)));
    expect(state?.metrics['latency_p99']?.trend).toBeUndefined();
  });
});

describe('detect: replicas above normal', () => {
  it('marks a surplus (INFO) while the component runs above its lowest size, and resolves at it', () => {
    const config = resolveDetectorConfig({
      statistical: { enabled: false },
      resolveAfterSamples: 2,
    });
    const replicas = [1, 1, 1, 2, 2, 2, 1, 1, 1];
    const { events } = run(
      replicas.map((n, t) => at('replicas', n, t * 5)),
      config,
    );
    const anomaly = events.find((e) => e.kind === 'ANOMALY');
    expect(anomaly?.severity).toBe('INFO');
    expect(anomaly?.anomalies).toEqual([
      { metric: 'replicas', value: 2, baseline: 1, score: 1, detector: 'surplus' },
    ]);
    expect(events.at(-1)?.kind).toBe('RESOLVED');
  });

  it('never scores or thresholds the replica count itself', () => {
    const config = resolveDetectorConfig({
      thresholds: [{ metric: 'replicas', operator: 'gt', value: 0 }],
    });
    const { events } = run(
      Array.from({ length: 50 }, (_, t) => at('replicas', 3, t)),
      config,
    );
    expect(events).toEqual([]);
  });
});
