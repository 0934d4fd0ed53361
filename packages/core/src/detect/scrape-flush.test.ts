import type { MetricSample } from '@healstream/contracts';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig } from './config.js';
import { detect } from './detect.js';
import { refreshEvent } from './events.js';
import { releaseScrape, scrapeComplete } from './scrape-flush.js';
import type { ComponentDetectorState } from './state.js';

const T = Date.parse('2026-03-01T10:00:00Z');
const config = resolveDetectorConfig({ statistical: { enabled: false } });
const sample = (
  metric: string,
  value: number,
  at: number,
  component = 'payments',
): MetricSample => ({
  component,
  metric,
  value,
  timestamp: at,
  labels: {},
});

describe('releaseScrape: the diagnosis waits for the rest of the scrape', () => {
  it('holds an event until the next scrape of its component begins, then sees the whole scrape', () => {
    const scrapes = [
      [sample('error_rate', 0.3, T), sample('latency_p99', 900, T), sample('cpu_util', 0.2, T)],
      [sample('error_rate', 0.3, T + 5000)],
    ].flat();
    let state: ComponentDetectorState | undefined;
    let held: ReturnType<typeof releaseScrape>['keep'] = [];
    const released = [];
    for (const s of scrapes) {
      const { release, keep } = releaseScrape(held, s);
      held = keep;
      released.push(...release.map((e) => (state ? refreshEvent(e, state, config) : e)));
      const out = detect(state, s, config);
      state = out.state;
      held.push(...out.events);
      if (s.timestamp === T) expect(released).toEqual([]);
    }
    expect(released).toHaveLength(1);
    const event = released[0];
    expect(event?.detectedAt).toBe(T);
    expect(event?.anomalies.map((a) => a.metric).sort()).toEqual(['error_rate', 'latency_p99']);
    expect(event?.snapshot.map((r) => r.metric).sort()).toEqual([
      'cpu_util',
      'error_rate',
      'latency_p99',
    ]);
  });

  it('keeps events of other components and releases any event once the window has passed', () => {
    const out = detect(undefined, sample('error_rate', 0.3, T), config);
    expect(
      releaseScrape(out.events, sample('latency_p99', 100, T + 5000, 'orders')).release,
    ).toHaveLength(1);
    expect(releaseScrape(out.events, sample('latency_p99', 100, T + 4999, 'orders'))).toMatchObject(
      {
        release: [],
        keep: out.events,
      },
    );
    expect(releaseScrape(out.events, sample('latency_p99', 900, T)).release).toEqual([]);
  });
});

describe('scrapeComplete: a scrape whose every metric is in waits no longer', () => {
  it('is complete once every metric the component reports has a reading at the event time', () => {
    let state: ComponentDetectorState | undefined;
    for (const s of [sample('latency_p99', 100, T - 5000), sample('error_rate', 0.01, T - 5000)])
      state = detect(state, s, config).state;
    const opened = detect(state, sample('latency_p99', 900, T), config);
    const event = opened.events[0];
    expect(event).toBeDefined();
    if (!event) return;
    expect(scrapeComplete(event, opened.state, config)).toBe(false);
    const rest = detect(opened.state, sample('error_rate', 0.3, T), config).state;
    expect(scrapeComplete(event, rest, config)).toBe(true);
    // A metric gone stale is not waited for.
    const later = detect(state, sample('latency_p99', 900, T + 120_000), config);
    const lone = later.events[0];
    expect(lone && scrapeComplete(lone, later.state, config)).toBe(true);
  });

  it('is complete at once when the target did not answer (up 0)', () => {
    let state: ComponentDetectorState | undefined;
    for (const s of [sample('up', 1, T - 5000), sample('error_rate', 0.01, T - 5000)])
      state = detect(state, s, config).state;
    const down = detect(state, sample('up', 0, T), config).state;
    expect(scrapeComplete({ component: 'payments', detectedAt: T }, down, config)).toBe(true);
    const up = detect(state, sample('up', 1, T), config).state;
    expect(scrapeComplete({ component: 'payments', detectedAt: T }, up, config)).toBe(false);
  });
});
